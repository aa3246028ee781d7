import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';

export const metadata: Metadata = { title: 'Users · Admin' };

export default async function AdminUsersPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Users</h1>
    </div>
  );
}
