'use client';

import { useRef, useState } from 'react';
import type { AttachmentView } from '@/components/attachments/attachment-queries';
import { FileName } from '@/components/attachments/file-name';
import { FilesIcon } from '@/components/attachments/icons';
import { CitationDialog, type CitedFile } from './citation-dialog';
import type { Citation } from './message-types';

/**
 * One entry per cited file, in the order first cited, with every distinct passage quoted from it
 * and the page of the first one that has a page.
 */
function byFile(citations: Citation[]): CitedFile[] {
  const files = new Map<string, CitedFile>();
  for (const citation of citations) {
    const file = files.get(citation.attachment_id) ?? {
      attachmentId: citation.attachment_id,
      filename: citation.filename,
      quotes: [],
    };
    const quote = citation.quote?.trim();
    if (quote && !file.quotes.includes(quote)) file.quotes.push(quote);
    file.page ??= citation.page;
    files.set(citation.attachment_id, file);
  }
  return [...files.values()];
}

/**
 * The files an answer cites, as chips; each opens what was quoted from it. A file since deleted
 * says so. `attachments` is the chat's list (undefined while it loads: nothing counts as deleted).
 */
export function CitationChips({
  citations,
  attachments,
}: {
  citations: Citation[];
  attachments: AttachmentView[] | undefined;
}) {
  const [open, setOpen] = useState<CitedFile | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const files = byFile(citations);
  if (files.length === 0) return null;

  const viewOf = (id: string) => attachments?.find((view) => view.id === id);
  const isRemoved = (id: string) => attachments !== undefined && !viewOf(id);
  const close = () => {
    setOpen(null);
    opener.current?.focus();
  };

  return (
    <div className="mt-3">
      <ul aria-label="Sources" className="flex flex-wrap gap-2">
        {files.map((file) => {
          const removed = isRemoved(file.attachmentId);
          return (
            <li key={file.attachmentId} className="max-w-full min-w-0">
              <button
                type="button"
                // The name in one piece: the truncating spans would otherwise split it for screen readers.
                aria-label={`Source: ${file.filename}${removed ? ' (deleted)' : ''}`}
                aria-haspopup="dialog"
                onClick={(event) => {
                  opener.current = event.currentTarget;
                  setOpen(file);
                }}
                className={`flex max-w-full min-w-0 items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs sm:max-w-[18rem] ${
                  removed
                    ? 'border-dashed border-zinc-300 text-zinc-500 dark:border-zinc-600 dark:text-zinc-400'
                    : 'border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-100 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800'
                }`}
              >
                <span className="[&_svg]:size-4" aria-hidden="true">
                  <FilesIcon />
                </span>
                <FileName name={file.filename} className={removed ? 'line-through' : ''} />
                {removed && <span className="shrink-0">(deleted)</span>}
              </button>
            </li>
          );
        })}
      </ul>
      {open && (
        <CitationDialog
          cited={open}
          view={viewOf(open.attachmentId)}
          removed={isRemoved(open.attachmentId)}
          onClose={close}
        />
      )}
    </div>
  );
}
