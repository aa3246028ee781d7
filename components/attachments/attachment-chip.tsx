'use client';

import { useRef } from 'react';
import { useCurrentChat } from '@/components/chats/current-chat';
import { Button } from '@/components/ui/button';
import { CloseIcon } from '@/components/ui/icons';
import { AttachmentPreview } from './attachment-preview';
import { thumbnailSrc } from './attachment-queries';
import { percent } from './attachment-status';
import type { ComposerFile } from './composer-files';
import { formatBytes } from './file-format';
import { FileName } from './file-name';
import { PauseIcon, PlayIcon, RetryIcon, UploadIcon } from './icons';
import { hasOriginal, OriginalMenu } from './original-file';
import type { PartsControl } from './parts-controls';
import { StatusLine } from './status-line';

const borders = {
  bad: 'border-red-300 dark:border-red-900',
  good: 'border-zinc-200 dark:border-zinc-700',
};

function removeLabel({ filename, inFlight, status }: ComposerFile) {
  if (inFlight) return `Cancel upload of ${filename}`;
  // A sent file stays in the chat; the button only takes it off this message.
  return status.state === 'locked' ? `Remove ${filename} from this message` : `Remove ${filename}`;
}

/**
 * One file in the composer: preview, name, size and status, with open or download (once stored),
 * retry and remove (or cancel); an upload in parts also pauses and resumes, and after a reload
 * asks for its file again.
 */
export function AttachmentChip({
  file,
  onRemove,
  onRetry,
  onControl,
}: {
  file: ComposerFile;
  onRemove: () => void;
  onRetry: () => void;
  onControl: (control: PartsControl) => void;
}) {
  const picker = useRef<HTMLInputElement>(null);
  const { status, filename } = file;
  const chatId = useCurrentChat();
  const bad = status.state === 'failed' || status.state === 'refused';
  // Sizes are part of the uploading label; everywhere else the size leads the status.
  const showSize =
    status.state !== 'uploading' && status.state !== 'paused' && status.state !== 'refused' && file.size > 0;
  const progress = status.state === 'uploading' || status.state === 'paused' ? status : undefined;
  return (
    <li
      className={`relative flex min-w-0 items-start gap-2 overflow-hidden rounded-lg border bg-white p-2 dark:bg-zinc-900 ${bad ? borders.bad : borders.good}`}
    >
      <AttachmentPreview
        filename={filename}
        kind={file.kind}
        src={(file.view && thumbnailSrc(file.view)) ?? file.previewSrc}
      />
      <div className="min-w-0 flex-1">
        <FileName name={filename} className="text-sm font-medium" />
        <StatusLine status={status} prefix={showSize ? formatBytes(file.size) : undefined} />
        {progress?.loaded !== undefined && progress.total !== undefined && (
          <div
            role="progressbar"
            aria-label={`Upload of ${filename}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent(progress.loaded, progress.total)}
            // Along the chip's bottom edge, so the chip keeps its height when the upload ends.
            className="absolute inset-x-0 bottom-0 h-1 bg-zinc-200 dark:bg-zinc-700"
          >
            <div
              className="h-full bg-blue-600 transition-[width] dark:bg-blue-400"
              style={{ width: `${percent(progress.loaded, progress.total)}%` }}
            />
          </div>
        )}
        {file.notice && <p className="text-xs break-words text-red-700 dark:text-red-400">{file.notice}</p>}
      </div>
      <div className="flex shrink-0 items-center">
        {file.view && hasOriginal(file.view) && <OriginalMenu chatId={chatId} view={file.view} />}
        {file.pause && (
          <Button
            variant="icon"
            aria-label={`${file.pause === 'pause' ? 'Pause' : 'Resume'} upload of ${filename}`}
            onClick={() => onControl({ kind: file.pause ?? 'pause' })}
            data-chip-action
          >
            {file.pause === 'pause' ? <PauseIcon /> : <PlayIcon />}
          </Button>
        )}
        {file.needsFile && (
          <>
            <input
              ref={picker}
              type="file"
              hidden
              aria-label={`The file ${filename}, to resume its upload`}
              onChange={(event) => {
                const picked = event.target.files?.[0];
                event.target.value = '';
                if (picked) onControl({ kind: 'pick', file: picked });
              }}
            />
            <Button
              variant="icon"
              aria-label={`Choose ${filename} again to resume`}
              onClick={() => picker.current?.click()}
              data-chip-action
            >
              <UploadIcon />
            </Button>
          </>
        )}
        {file.canRetry && (
          <Button variant="icon" aria-label={`Retry ${filename}`} onClick={onRetry} data-chip-action>
            <RetryIcon />
          </Button>
        )}
        <Button variant="icon" aria-label={removeLabel(file)} onClick={onRemove} data-chip-action>
          <CloseIcon />
        </Button>
      </div>
    </li>
  );
}
