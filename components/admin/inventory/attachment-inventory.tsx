'use client';

import { useState } from 'react';
import { formatBytes } from '@/components/attachments/file-format';
import { Button, buttonClassName } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  type ForceDeleteTarget,
  filterQuery,
  type InventoryItem,
  useForceDelete,
  useInventory,
  useUsers,
} from '../admin-queries';
import { AdminTable, cellClass, formatDate, PagedList } from '../paged-list';
import { InventoryFilters } from './inventory-filters';

/**
 * Every attachment of the organisation: filter, select, force-delete; export what the filters
 * match as CSV. Metadata only: no content, thumbnails or chat titles.
 */
export function AttachmentInventory() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // What the confirmation dialog is about: the selected files, or every file of one chat.
  const [confirming, setConfirming] = useState<ForceDeleteTarget | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const inventory = useInventory(filters);
  const users = useUsers();
  const forceDelete = useForceDelete();

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const close = () => {
    setConfirming(null);
    forceDelete.reset();
  };
  const confirm = () =>
    confirming &&
    forceDelete.mutate(confirming, {
      onSuccess: (result) => {
        setDone(
          `${result.deleted} ${result.deleted === 1 ? 'file' : 'files'} deleted (${formatBytes(result.bytes)}).`,
        );
        setSelected(new Set());
        setConfirming(null);
      },
    });

  return (
    <div className="flex flex-col gap-4">
      <InventoryFilters
        users={users.data?.pages.flatMap((p) => p.items) ?? []}
        onApply={(next) => {
          setFilters(next);
          setSelected(new Set());
        }}
      />
      <div className="flex flex-wrap items-center gap-2">
        <Button
          variant="danger"
          disabled={selected.size === 0}
          onClick={() => setConfirming({ attachment_ids: [...selected] })}
        >
          Delete selected ({selected.size})
        </Button>
        <a
          href={`/api/admin/attachments/export.csv?${filterQuery(filters)}`}
          className={buttonClassName('secondary')}
          download
        >
          Export CSV
        </a>
        <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
          {done}
        </p>
      </div>
      <PagedList list={inventory} noun="attachments">
        {(items) => (
          <InventoryTable
            items={items}
            selected={selected}
            onToggle={toggle}
            onDeleteChat={(chatId) => setConfirming({ chat_id: chatId })}
          />
        )}
      </PagedList>
      <ConfirmDialog
        open={confirming !== null}
        title={
          confirming && 'chat_id' in confirming
            ? `Delete every file of chat ${confirming.chat_id.slice(0, 8)}?`
            : `Delete ${selected.size} ${selected.size === 1 ? 'file' : 'files'}?`
        }
        confirmLabel="Delete"
        pending={forceDelete.isPending}
        error={forceDelete.error?.message}
        onConfirm={confirm}
        onClose={close}
      >
        They are deleted everywhere, also from messages they were sent with (which then say the file was
        removed by an administrator), and can no longer be cited. This is recorded in the audit log.
      </ConfirmDialog>
    </div>
  );
}

function InventoryTable({
  items,
  selected,
  onToggle,
  onDeleteChat,
}: {
  items: InventoryItem[];
  selected: Set<string>;
  onToggle: (id: string) => void;
  onDeleteChat: (chatId: string) => void;
}) {
  return (
    <AdminTable
      caption="Attachments"
      headings={[
        { hidden: 'Select' },
        'File name',
        'Kind',
        'Type',
        'Size',
        'Status',
        'Uploader',
        'Chat',
        'Uploaded',
        'Last sent',
        'Locked',
      ]}
    >
      {items.map((item) => (
        <tr key={item.id}>
          <td className={cellClass}>
            <input
              type="checkbox"
              aria-label={`Select ${item.filename}`}
              checked={selected.has(item.id)}
              onChange={() => onToggle(item.id)}
            />
          </td>
          <td className={`${cellClass} max-w-[16rem] break-words`}>{item.filename}</td>
          <td className={cellClass}>{item.kind}</td>
          <td className={cellClass}>{item.content_type}</td>
          <td className={`${cellClass} whitespace-nowrap`}>{formatBytes(item.size_bytes)}</td>
          <td className={cellClass}>
            {item.status}
            {item.error_code ? ` (${item.error_code})` : ''}
          </td>
          <td className={cellClass}>{item.uploader.email}</td>
          <td className={`${cellClass} font-mono text-xs`} title={item.chat_id}>
            {item.chat_id.slice(0, 8)}{' '}
            <button
              type="button"
              className="font-sans text-xs text-red-700 underline-offset-2 hover:underline dark:text-red-400"
              aria-label={`Delete every file of chat ${item.chat_id.slice(0, 8)}`}
              onClick={() => onDeleteChat(item.chat_id)}
            >
              Delete all
            </button>
          </td>
          <td className={`${cellClass} whitespace-nowrap`}>{formatDate(item.created_at)}</td>
          <td className={`${cellClass} whitespace-nowrap`}>
            {item.last_sent_at ? formatDate(item.last_sent_at) : '—'}
          </td>
          <td className={cellClass}>{item.locked ? 'Yes' : 'No'}</td>
        </tr>
      ))}
    </AdminTable>
  );
}
