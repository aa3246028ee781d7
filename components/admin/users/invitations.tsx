'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { useCreateInvitation, useInvitations, useRevokeInvitation } from '../admin-queries';
import { formatDate, formFilters, SelectField } from '../paged-list';

/**
 * Invite by link: the admin copies the one-time link and sends it however they like (there is no
 * email server). The link is shown once; afterwards only its expiry is listed.
 */
export function Invitations() {
  const invitations = useInvitations();
  const create = useCreateInvitation();
  const revoke = useRevokeInvitation();
  const [link, setLink] = useState<string | null>(null);

  return (
    <section aria-labelledby="invitations-heading" className="flex flex-col gap-3">
      <h2 id="invitations-heading" className="text-lg font-semibold">
        Invitations
      </h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          const values = formFilters(event.currentTarget);
          create.mutate(
            { role: values.role === 'admin' ? 'admin' : 'member', expires_in_days: Number(values.days) },
            { onSuccess: (created) => setLink(created.url) },
          );
        }}
      >
        <SelectField
          label="Role"
          name="role"
          options={[
            ['member', 'Member'],
            ['admin', 'Admin'],
          ]}
        />
        <SelectField
          label="Expires after"
          name="days"
          defaultValue="7"
          options={[
            ['1', '1 day'],
            ['7', '7 days'],
            ['30', '30 days'],
          ]}
        />
        <Button type="submit" disabled={create.isPending}>
          Create invitation link
        </Button>
      </form>
      {create.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {create.error.message}
        </p>
      )}
      {link && (
        <div className="flex flex-col gap-1.5">
          <label htmlFor="invitation-link" className="text-sm font-medium">
            Invitation link (shown once; it works for one sign-up)
          </label>
          <div className="flex gap-2">
            <input
              id="invitation-link"
              readOnly
              value={link}
              className="w-full rounded-md border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
            />
            <CopyButton text={link} label="Copy link" />
          </div>
        </div>
      )}
      {invitations.data && invitations.data.length > 0 && (
        <ul aria-label="Open invitations" className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="flex items-center justify-between gap-3 py-2">
              <span>
                {invitation.role === 'admin' ? 'Admin' : 'Member'} invitation, expires{' '}
                {formatDate(invitation.expires_at)}
              </span>
              <Button
                variant="secondary"
                disabled={revoke.isPending}
                onClick={() => revoke.mutate(invitation.id)}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
