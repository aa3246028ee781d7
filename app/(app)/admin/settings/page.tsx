import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { SettingsForm } from '@/components/admin/settings/settings-form';

export const metadata: Metadata = { title: 'Settings · Admin' };

export default async function AdminSettingsPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Settings</h1>
      <SettingsForm />
    </div>
  );
}
