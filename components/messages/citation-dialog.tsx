'use client';

import { useId } from 'react';
import { AttachmentPreview } from '@/components/attachments/attachment-preview';
import { type AttachmentView, thumbnailSrc } from '@/components/attachments/attachment-queries';
import { formatBytes } from '@/components/attachments/file-format';
import { hasOriginal, OriginalLinks } from '@/components/attachments/original-file';
import { useCurrentChat } from '@/components/chats/current-chat';
import { Button } from '@/components/ui/button';
import { Modal } from '@/components/ui/modal';

export interface CitedFile {
  attachmentId: string;
  filename: string;
  quotes: string[];
  /** Where a PDF opens: the page of the first quote that has one. */
  page?: number;
}

/**
 * What an answer cites from one file: the quoted passages, the file as the chat lists it, and its
 * original to open (a PDF at the cited page) or download. A modal on the native <dialog>: Escape
 * closes it, and the caller puts the focus back.
 */
export function CitationDialog({
  cited,
  view,
  removed,
  onClose,
}: {
  cited: CitedFile;
  view: AttachmentView | undefined;
  removed: boolean;
  onClose: () => void;
}) {
  const titleId = useId();
  const chatId = useCurrentChat();

  // Mounted while shown: the caller renders it for the chip that was clicked.
  return (
    <Modal open labelledBy={titleId} onClose={onClose} className="max-h-[min(40rem,85dvh)] max-w-lg p-0">
      <div className="flex flex-col gap-4 p-5">
        <h2 id={titleId} className="text-base font-semibold break-words">
          Cited from {cited.filename}
        </h2>
        <div className="flex items-center gap-3">
          <AttachmentPreview
            filename={cited.filename}
            kind={view?.kind ?? 'document'}
            src={view && thumbnailSrc(view)}
            size="md"
          />
          <p className="min-w-0 text-sm break-words text-zinc-600 dark:text-zinc-400">
            {removed
              ? 'This file has since been removed from the chat.'
              : view
                ? [
                    view.kind === 'image' ? 'Image' : 'Document',
                    view.size_bytes > 0 && formatBytes(view.size_bytes),
                  ]
                    .filter(Boolean)
                    .join(' · ')
                : 'A file of this chat.'}
          </p>
        </div>
        {view && !removed && hasOriginal(view) && (
          <OriginalLinks chatId={chatId} view={view} page={cited.page} variant="buttons" />
        )}
        {cited.quotes.length > 0 ? (
          <div className="flex flex-col gap-2">
            <h3 className="text-sm font-medium">
              {cited.quotes.length === 1 ? 'Quoted passage' : 'Quoted passages'}
            </h3>
            {cited.quotes.map((quote, index) => (
              <blockquote
                // biome-ignore lint/suspicious/noArrayIndexKey: quotes may repeat and never move.
                key={index}
                className="max-h-60 overflow-y-auto rounded-md border-l-4 border-blue-300 bg-zinc-50 px-3 py-2 text-sm whitespace-pre-wrap break-words dark:border-blue-700 dark:bg-zinc-800"
              >
                {quote}
              </blockquote>
            ))}
          </div>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The answer draws on this file without quoting it.
          </p>
        )}
        {/* Closed by the dialog itself, which gives the focus back to the chip that opened it. */}
        <form method="dialog" className="flex justify-end">
          <Button type="submit" variant="secondary" autoFocus>
            Close
          </Button>
        </form>
      </div>
    </Modal>
  );
}
