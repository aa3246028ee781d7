import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { RetentionForm } from '@/components/admin/retention/retention-form';

export const metadata: Metadata = { title: 'Retention · Admin' };

export default async function AdminRetentionPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Retention</h1>
      <RetentionForm />
    </div>
  );
}
