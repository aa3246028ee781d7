'use client';

import { type Ref, useState } from 'react';
import { ApiError } from '@/components/api';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CloseIcon, TrashIcon } from '@/components/ui/icons';
import { describeAccepted } from './accepted-types';
import { AttachmentPreview } from './attachment-preview';
import {
  type AttachmentView,
  thumbnailSrc,
  type UploadLimits,
  useDeleteAttachment,
} from './attachment-queries';
import { serverStatus } from './attachment-status';
import { errorSentence } from './error-messages';
import { formatBytes } from './file-format';
import { FileName } from './file-name';
import { LockIcon } from './icons';
import { hasOriginal, OriginalMenu } from './original-file';
import { StatusLine } from './status-line';
import { UsageMeter } from './usage-meter';

interface AttachmentsPanelProps {
  id: string;
  chatId: string;
  attachments: AttachmentView[] | undefined;
  loadError: boolean;
  limits: UploadLimits | undefined;
  lockedIds: ReadonlySet<string>;
  onLocked: (id: string) => void;
  onClose: () => void;
  headingRef: Ref<HTMLHeadingElement>;
}

/** Every file of the chat with its status, and how much of the chat's limits they use. */
export function AttachmentsPanel(props: AttachmentsPanelProps) {
  const { attachments, limits, lockedIds } = props;
  const [deleting, setDeleting] = useState<AttachmentView | null>(null);
  const remove = useDeleteAttachment(props.chatId);

  const closeDialog = () => {
    setDeleting(null);
    remove.reset();
  };
  const confirmDelete = () => {
    if (!deleting) return;
    const target = deleting;
    remove.mutate(target.id, {
      onSuccess: closeDialog,
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'attachment_locked') props.onLocked(target.id);
      },
    });
  };

  return (
    <aside
      id={props.id}
      aria-labelledby={`${props.id}-heading`}
      className="flex min-h-0 w-full flex-1 flex-col border-zinc-200 md:w-80 md:flex-none md:border-l dark:border-zinc-800"
    >
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
        <h2 id={`${props.id}-heading`} ref={props.headingRef} tabIndex={-1} className="font-semibold">
          Files in this chat
        </h2>
        <Button variant="icon" aria-label="Close files" onClick={props.onClose}>
          <CloseIcon />
        </Button>
      </div>
      <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto p-4">
        {limits && <UsageMeter limits={limits} />}
        {props.loadError && !attachments && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            The files could not be loaded. Check your connection and reopen this panel.
          </p>
        )}
        {attachments?.length === 0 && (
          <div className="text-sm text-zinc-600 dark:text-zinc-400">
            <p>No files yet. Drop files anywhere on this page, paste them into the message, or use Attach.</p>
            {limits && <p className="mt-2">{describeAccepted(limits)}</p>}
          </div>
        )}
        {attachments && attachments.length > 0 && (
          <ul aria-label="Files" className="flex flex-col gap-2">
            {attachments.map((view) => {
              // The server's flag; a 409 `attachment_locked` (a message sent since the list was read) also tells.
              const locked = view.locked || lockedIds.has(view.id);
              return (
                <li key={view.id} className="flex items-start gap-3">
                  <AttachmentPreview filename={view.filename} kind={view.kind} src={thumbnailSrc(view)} />
                  <div className="min-w-0 flex-1">
                    <FileName name={view.filename} className="text-sm font-medium" />
                    <StatusLine
                      status={locked ? { state: 'locked' } : serverStatus(view)}
                      // A row that failed before its size was known says 0 bytes, which would mislead.
                      prefix={[
                        view.kind === 'image' ? 'Image' : 'Document',
                        view.size_bytes > 0 && formatBytes(view.size_bytes),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    />
                  </div>
                  {hasOriginal(view) && <OriginalMenu chatId={props.chatId} view={view} />}
                  {locked ? (
                    <span
                      role="img"
                      aria-label={`${view.filename} was sent in a message; it can't be removed`}
                      title="Sent in a message; it can't be removed"
                      className="flex size-8 shrink-0 items-center justify-center text-zinc-500 dark:text-zinc-400"
                    >
                      <LockIcon />
                    </span>
                  ) : (
                    <Button
                      variant="icon"
                      aria-label={`Delete ${view.filename}`}
                      onClick={() => setDeleting(view)}
                    >
                      <TrashIcon />
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this file?"
        confirmLabel="Delete"
        pending={remove.isPending}
        error={
          remove.error && deleting
            ? errorSentence(remove.error, { filename: deleting.filename, kind: deleting.kind })
            : undefined
        }
        onConfirm={confirmDelete}
        onClose={closeDialog}
      >
        {deleting?.filename} will be removed from this chat. This cannot be undone.
      </ConfirmDialog>
    </aside>
  );
}
