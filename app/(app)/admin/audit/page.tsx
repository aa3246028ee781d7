import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { AuditLog } from '@/components/admin/audit/audit-log';

export const metadata: Metadata = { title: 'Audit log · Admin' };

export default async function AdminAuditPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Audit log</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Every administrator action, and every deletion not made by a file&apos;s owner. Entries cannot be
        changed or deleted.
      </p>
      <AuditLog />
    </div>
  );
}
