'use client';

import { useId } from 'react';
import { Button, buttonClassName } from '@/components/ui/button';
import { type AttachmentView, contentUrl } from './attachment-queries';
import { DownloadIcon, MoreIcon, OpenIcon } from './icons';

export const KEPT_BY_PROVIDER = 'The original is kept by the model provider and cannot be downloaded.';

/** The file's bytes are all stored: its original can be offered, or said to be out of reach. */
export const hasOriginal = (view: AttachmentView) => view.status === 'uploaded' || view.status === 'ready';

/** What a browser shows in a tab of its own; the server sends nothing else inline. */
const opensInline = (view: AttachmentView) =>
  view.kind === 'image' || view.content_type === 'application/pdf';

const linkStyles = {
  menu: 'flex items-center gap-2 rounded-md px-3 py-2 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800',
  buttons: buttonClassName('secondary'),
} as const;

/**
 * "Open" (PDFs and images, in a new tab; at `page` for a PDF) and "Download" for a file whose
 * store keeps it; the reason there are none for one kept by the model provider.
 */
export function OriginalLinks({
  chatId,
  view,
  page,
  variant,
  onFollow,
}: {
  chatId: string;
  view: AttachmentView;
  page?: number;
  variant: keyof typeof linkStyles;
  onFollow?: () => void;
}) {
  if (!view.can_open) {
    return <p className="max-w-64 text-sm text-zinc-600 dark:text-zinc-400">{KEPT_BY_PROVIDER}</p>;
  }
  return (
    <ul aria-label="Original file" className={variant === 'menu' ? 'flex flex-col' : 'flex flex-wrap gap-2'}>
      {opensInline(view) && (
        <li>
          <a
            href={contentUrl(chatId, view.id, { inline: true, page })}
            target="_blank"
            rel="noopener"
            className={linkStyles[variant]}
            onClick={onFollow}
          >
            <OpenIcon />
            Open
            <span className="sr-only">
              {' '}
              {view.filename} (new tab){page ? ` at page ${page}` : ''}
            </span>
          </a>
        </li>
      )}
      <li>
        <a href={contentUrl(chatId, view.id)} download className={linkStyles[variant]} onClick={onFollow}>
          <DownloadIcon />
          Download
          <span className="sr-only"> {view.filename}</span>
        </a>
      </li>
    </ul>
  );
}

/**
 * A "more" button whose menu holds the file's OriginalLinks. A native popover: it sits above
 * everything (a chip clips what overflows it), and Escape or a click elsewhere closes it. It opens
 * below the button, or above it where there is no room (the composer's chips).
 */
export function OriginalMenu({ chatId, view }: { chatId: string; view: AttachmentView }) {
  const id = useId();
  const menuId = `original-${id}`;
  const anchor = `--original-${id.replace(/[^\w-]/g, '')}`;
  return (
    <>
      <Button
        variant="icon"
        aria-label={`Open or download ${view.filename}`}
        popoverTarget={menuId}
        style={{ anchorName: anchor }}
      >
        <MoreIcon />
      </Button>
      <div
        id={menuId}
        popover="auto"
        style={{
          positionAnchor: anchor,
          positionArea: 'bottom span-left',
          positionTryFallbacks: 'flip-block',
          inset: 'auto',
          margin: '0.25rem 0',
        }}
        className="rounded-lg border border-zinc-200 bg-white p-1 text-zinc-900 shadow-lg dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <OriginalLinks
          chatId={chatId}
          view={view}
          variant="menu"
          onFollow={() => document.getElementById(menuId)?.hidePopover()}
        />
      </div>
    </>
  );
}
