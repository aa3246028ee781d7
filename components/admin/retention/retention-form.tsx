'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrors, useSaveSettings, useSettings } from '@/components/admin/settings/settings-queries';
import { apiFetch } from '@/components/api';
import { formatBytes } from '@/components/attachments/file-format';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import type { RetentionDryRun } from '@/lib/admin/retention';

type Policy = { retention_days: number | null; retention_exempt_locked: boolean };

/** The retention policy, and a dry run of the policy as the form stands, saved or not. */
export function RetentionForm() {
  const settings = useSettings();
  if (settings.isPending) return <p>Loading the policy…</p>;
  if (settings.isError) return <p role="alert">The policy could not be loaded: {settings.error.message}</p>;
  return (
    <LoadedForm
      saved={{
        retention_days: settings.data.retention_days.value,
        retention_exempt_locked: settings.data.retention_exempt_locked.value,
      }}
    />
  );
}

function LoadedForm({ saved }: { saved: Policy }) {
  const save = useSaveSettings();
  const dryRun = useMutation({
    mutationFn: (policy: Policy) =>
      apiFetch<RetentionDryRun>('/api/admin/retention/dry-run', { method: 'POST', body: policy }),
  });
  const [days, setDays] = useState(saved.retention_days === null ? '' : String(saved.retention_days));
  const [exempt, setExempt] = useState(saved.retention_exempt_locked);
  const policy = (): Policy => ({
    retention_days: days.trim() === '' ? null : Number(days),
    retention_exempt_locked: exempt,
  });
  const errors = { ...fieldErrors(dryRun.error), ...fieldErrors(save.error) };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(policy());
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Retention policy">
      <TextField
        label="Delete files this many days after their last use"
        name="retention_days"
        inputMode="numeric"
        value={days}
        onChange={(e) => setDays(e.target.value)}
        hint="Counted from the last message a file was sent with, or from its upload if it was never sent. Leave empty to keep files until someone deletes them."
        error={errors.retention_days}
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={exempt} onChange={(e) => setExempt(e.target.checked)} />
        Keep files that were sent in a message
      </label>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={save.isPending}>
          Save policy
        </Button>
        <Button variant="secondary" disabled={dryRun.isPending} onClick={() => dryRun.mutate(policy())}>
          Run dry run
        </Button>
      </div>
      <p role="status" className="text-sm">
        {save.isSuccess
          ? save.data.retention_days.value === null
            ? 'Retention is off.'
            : `Policy saved: files go ${save.data.retention_days.value} days after their last use, checked daily.`
          : ''}
      </p>
      <output aria-live="polite" className="text-sm">
        {dryRun.data &&
          `Dry run: ${dryRun.data.files} ${dryRun.data.files === 1 ? 'file' : 'files'} (${formatBytes(dryRun.data.bytes)}) would be deleted now.`}
        {dryRun.isError && !errors.retention_days && `Dry run failed: ${dryRun.error.message}`}
      </output>
    </form>
  );
}
