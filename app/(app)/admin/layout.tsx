import type { ReactNode } from 'react';
import { requireAdminSession } from '@/app/_lib/session';
import { AdminNav } from '@/components/admin/admin-nav';

/**
 * The admin console's frame. It authorizes, and so does every page under it: a layout is not
 * re-run on client navigation, so a role changed meanwhile is caught by the page.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdminSession();
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="px-4 pt-4">
        <p className="text-sm font-semibold text-zinc-600 dark:text-zinc-400">Administration</p>
      </div>
      <AdminNav />
      <div className="min-h-0 flex-1 overflow-y-auto">{children}</div>
    </div>
  );
}
