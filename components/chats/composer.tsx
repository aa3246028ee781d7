'use client';

import { type ClipboardEvent, useId, useRef } from 'react';
import { AttachButton } from '../attachments/attach-button';
import { AttachmentChip } from '../attachments/attachment-chip';
import type { DisplayStatus } from '../attachments/attachment-status';
import type { ComposerFile } from '../attachments/composer-files';
import { FilesIcon } from '../attachments/icons';
import { StatusAnnouncer } from '../attachments/status-announcer';
import { Button } from '../ui/button';

const NOT_YET: ReadonlySet<DisplayStatus['state']> = new Set([
  'queued',
  'uploading',
  'waiting',
  'processing',
]);
const BROKEN: ReadonlySet<DisplayStatus['state']> = new Set(['failed', 'refused']);

const countFiles = (n: number) => (n === 1 ? '1 file' : `${n} files`);

/** Why Send is disabled: the files first, since they are what the user can act on. */
function sendBlocker(attached: ComposerFile[]): string {
  const waiting = attached.filter((file) => NOT_YET.has(file.status.state)).length;
  if (waiting) return `Send is available once ${countFiles(waiting)} ${waiting === 1 ? 'is' : 'are'} ready.`;
  const broken = attached.filter((file) => BROKEN.has(file.status.state));
  if (broken.length) {
    const retry = broken.some((file) => file.canRetry) ? ', or retry' : '';
    return `Remove ${countFiles(broken.length)} that could not be attached${retry}.`;
  }
  return 'Messaging is coming soon.';
}

interface ComposerProps {
  files: ComposerFile[];
  accept?: string;
  onAddFiles: (files: File[]) => void;
  onRemove: (key: string) => Promise<void>;
  onRetry: (key: string) => void;
  filesPanel: { open: boolean; count: number; controls: string; onToggle: () => void };
}

/**
 * Where a message is written and its files gathered: picked, pasted, or dropped on the page.
 * Sending arrives with the chat issue; until then Send stays disabled and says why.
 */
export function Composer({
  files: attached,
  accept,
  onAddFiles,
  onRemove,
  onRetry,
  filesPanel,
  className = '',
}: ComposerProps & { className?: string }) {
  const hintId = useId();
  const list = useRef<HTMLUListElement>(null);
  const attachArea = useRef<HTMLDivElement>(null);

  const pasted = (event: ClipboardEvent) => {
    const pastedFiles = [...event.clipboardData.files];
    if (pastedFiles.length === 0) return;
    event.preventDefault();
    onAddFiles(pastedFiles);
  };

  // A removed chip takes its focused button with it; the focus moves on to a neighbour.
  const remove = async (key: string, index: number) => {
    await onRemove(key);
    if (document.activeElement && document.activeElement !== document.body) return;
    const actions = list.current?.querySelectorAll<HTMLElement>('li [data-chip-action]:last-child');
    const next = actions?.[Math.min(index, actions.length - 1)];
    (next ?? attachArea.current?.querySelector('button'))?.focus();
  };

  return (
    <div className={`border-t border-zinc-200 p-3 md:p-4 dark:border-zinc-800 ${className}`}>
      <form
        aria-label="Message composer"
        className="mx-auto flex max-w-3xl flex-col gap-2"
        onPaste={pasted}
        onSubmit={(event) => event.preventDefault()}
      >
        {attached.length > 0 && (
          <ul
            ref={list}
            aria-label="Attached files"
            className="grid max-h-[min(18rem,35dvh)] gap-2 overflow-y-auto sm:grid-cols-2"
          >
            {attached.map((file, index) => (
              <AttachmentChip
                key={file.key}
                file={file}
                onRemove={() => void remove(file.key, index)}
                onRetry={() => onRetry(file.key)}
              />
            ))}
          </ul>
        )}
        <StatusAnnouncer files={attached} />
        <textarea
          aria-label="Message"
          placeholder="Write a message, or paste or drop files"
          rows={2}
          className="min-w-0 resize-none rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        <div className="flex flex-wrap items-center gap-2">
          <div ref={attachArea} className="flex gap-2">
            <AttachButton accept={accept} onFiles={onAddFiles} />
            <Button
              variant="secondary"
              aria-expanded={filesPanel.open}
              aria-controls={filesPanel.controls}
              onClick={filesPanel.onToggle}
            >
              <FilesIcon />
              <span className="sr-only sm:not-sr-only">Chat files</span>
              <span className="rounded-full bg-zinc-200 px-1.5 text-xs tabular-nums dark:bg-zinc-700">
                <span className="sr-only">(</span>
                {filesPanel.count}
                <span className="sr-only">)</span>
              </span>
            </Button>
          </div>
          <p id={hintId} className="ml-auto min-w-0 text-right text-xs text-zinc-600 dark:text-zinc-400">
            {sendBlocker(attached)}
          </p>
          <Button type="submit" variant="secondary" disabled aria-describedby={hintId}>
            Send
          </Button>
        </div>
      </form>
    </div>
  );
}
