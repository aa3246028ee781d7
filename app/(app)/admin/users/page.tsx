import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { Invitations } from '@/components/admin/users/invitations';
import { UserTable } from '@/components/admin/users/user-table';

export const metadata: Metadata = { title: 'Users · Admin' };

export default async function AdminUsersPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-8 p-4 md:p-8">
      <div className="flex flex-col gap-3">
        <h1 className="text-xl font-semibold">Users</h1>
        <UserTable />
      </div>
      <Invitations />
    </div>
  );
}
