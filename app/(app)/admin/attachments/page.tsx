import type { Metadata } from 'next';
import { requireAdminSession } from '@/app/_lib/session';
import { AttachmentInventory } from '@/components/admin/inventory/attachment-inventory';

export const metadata: Metadata = { title: 'Attachments · Admin' };

export default async function AdminAttachmentsPage() {
  await requireAdminSession();
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-4 p-4 md:p-8">
      <h1 className="text-xl font-semibold">Attachments</h1>
      <AttachmentInventory />
    </div>
  );
}
