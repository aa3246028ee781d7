'use client';

import { useState } from 'react';
import { formatBytes } from '@/components/attachments/file-format';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type AdminUserView, useForceDelete, useUpdateUser, useUsers } from '../admin-queries';
import { AdminTable, cellClass, formatDate, PagedList } from '../paged-list';

type Pending = { user: AdminUserView; action: 'disable' | 'delete_files' } | null;

/** The organisation's users with their usage; change a role, disable or enable, delete all their files. */
export function UserTable() {
  const users = useUsers();
  const update = useUpdateUser();
  const forceDelete = useForceDelete();
  const [pending, setPending] = useState<Pending>(null);
  const [message, setMessage] = useState<string | null>(null);

  const report = (text: string) => setMessage(text);
  const fail = (err: Error) => setMessage(err.message);
  const close = () => {
    setPending(null);
    forceDelete.reset();
    update.reset();
  };
  const confirm = () => {
    if (!pending) return;
    const { user, action } = pending;
    if (action === 'disable') {
      update.mutate(
        { id: user.id, disabled: true },
        {
          onSuccess: () => {
            report(`${user.email} is disabled.`);
            close();
          },
        },
      );
    } else {
      forceDelete.mutate(
        { user_id: user.id },
        {
          onSuccess: (r) => {
            report(`${r.deleted} files of ${user.email} deleted.`);
            close();
          },
        },
      );
    }
  };

  return (
    <div className="flex flex-col gap-3">
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>
      <PagedList list={users} noun="users">
        {(items) => (
          <AdminTable
            caption="Users"
            headings={['Email', 'Role', 'Status', 'Storage', 'Files', 'Joined', 'Actions']}
          >
            {items.map((user) => (
              <tr key={user.id}>
                <td className={`${cellClass} break-all`}>{user.email}</td>
                <td className={cellClass}>{user.role}</td>
                <td className={cellClass}>{user.disabled ? 'Disabled' : 'Active'}</td>
                <td className={`${cellClass} whitespace-nowrap`}>{formatBytes(user.usage_bytes)}</td>
                <td className={cellClass}>{user.files}</td>
                <td className={`${cellClass} whitespace-nowrap`}>{formatDate(user.created_at)}</td>
                <td className={cellClass}>
                  <div className="flex flex-wrap gap-2">
                    <Button
                      variant="secondary"
                      aria-label={`${user.role === 'admin' ? 'Make member' : 'Make admin'}: ${user.email}`}
                      onClick={() =>
                        update.mutate(
                          { id: user.id, role: user.role === 'admin' ? 'member' : 'admin' },
                          { onSuccess: (u) => report(`${u.email} is now ${u.role}.`), onError: fail },
                        )
                      }
                    >
                      {user.role === 'admin' ? 'Make member' : 'Make admin'}
                    </Button>
                    {user.disabled ? (
                      <Button
                        variant="secondary"
                        aria-label={`Enable ${user.email}`}
                        onClick={() =>
                          update.mutate(
                            { id: user.id, disabled: false },
                            { onSuccess: (u) => report(`${u.email} is enabled.`), onError: fail },
                          )
                        }
                      >
                        Enable
                      </Button>
                    ) : (
                      <Button
                        variant="secondary"
                        aria-label={`Disable ${user.email}`}
                        onClick={() => setPending({ user, action: 'disable' })}
                      >
                        Disable
                      </Button>
                    )}
                    <Button
                      variant="secondary"
                      aria-label={`Delete all files of ${user.email}`}
                      disabled={user.files === 0}
                      onClick={() => setPending({ user, action: 'delete_files' })}
                    >
                      Delete files
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </AdminTable>
        )}
      </PagedList>
      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.action === 'disable'
            ? `Disable ${pending.user.email}?`
            : `Delete every file of ${pending?.user.email}?`
        }
        confirmLabel={pending?.action === 'disable' ? 'Disable' : 'Delete files'}
        pending={update.isPending || forceDelete.isPending}
        error={(update.error ?? forceDelete.error)?.message}
        onConfirm={confirm}
        onClose={close}
      >
        {pending?.action === 'disable'
          ? 'They are signed out everywhere and their API tokens stop working at once. Their files stay and keep counting until deleted.'
          : 'Every file they uploaded is deleted everywhere, also from messages they were sent with. This is recorded in the audit log.'}
      </ConfirmDialog>
    </div>
  );
}
