import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { AdminOverview } from '@/components/admin/overview/overview';

export const metadata: Metadata = { title: 'Overview · Admin' };

export default async function AdminOverviewPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Overview</h1>
      <AdminOverview />
    </div>
  );
}
