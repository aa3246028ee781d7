'use client';

import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { AttachButton } from '@/components/attachments/attach-button';
import { AttachmentChip } from '@/components/attachments/attachment-chip';
import type { DisplayStatus } from '@/components/attachments/attachment-status';
import type { ComposerFile } from '@/components/attachments/composer-files';
import { FilesIcon } from '@/components/attachments/icons';
import type { PartsControl } from '@/components/attachments/parts-controls';
import { StatusAnnouncer } from '@/components/attachments/status-announcer';
import { UnseenImagesHint } from '@/components/messages/unseen-images';
import { Button } from '@/components/ui/button';
import { Icon } from '@/components/ui/icons';
import { MAX_CONTENT_CHARS } from '@/lib/turns/limits';

const NOT_YET: ReadonlySet<DisplayStatus['state']> = new Set([
  'queued',
  'uploading',
  'paused',
  'interrupted',
  'waiting',
  'processing',
]);
const BROKEN: ReadonlySet<DisplayStatus['state']> = new Set(['failed', 'refused']);
/** A file goes with the message once the server has it ready; a locked one was sent before and may be again. */
const SENDABLE: ReadonlySet<DisplayStatus['state']> = new Set(['ready', 'locked']);

const countFiles = (n: number) => (n === 1 ? '1 file' : `${n} files`);

/** Why Send is disabled, or how to send: the files first, since they are what the user can act on. */
function sendHint(attached: ComposerFile[], text: string): { text: string; blocks: boolean } {
  const waiting = attached.filter((file) => NOT_YET.has(file.status.state)).length;
  if (waiting)
    return {
      text: `Send is available once ${countFiles(waiting)} ${waiting === 1 ? 'is' : 'are'} ready.`,
      blocks: true,
    };
  const broken = attached.filter((file) => BROKEN.has(file.status.state));
  if (broken.length) {
    const retry = broken.some((file) => file.canRetry) ? ', or retry' : '';
    return { text: `Remove ${countFiles(broken.length)} that could not be attached${retry}.`, blocks: true };
  }
  if (text.length > MAX_CONTENT_CHARS)
    return {
      text: `The message is ${text.length.toLocaleString('en')} characters long; the limit is ${MAX_CONTENT_CHARS.toLocaleString('en')}.`,
      blocks: true,
    };
  if (!text.trim()) return { text: 'Write a message to send.', blocks: true };
  return { text: 'Enter sends; Shift+Enter starts a new line.', blocks: false };
}

const StopIcon = () => (
  <Icon>
    <rect x="6" y="6" width="12" height="12" rx="1.5" />
  </Icon>
);

interface ComposerProps {
  files: ComposerFile[];
  accept?: string;
  onAddFiles: (files: File[]) => void;
  onRemove: (key: string) => Promise<void>;
  onRetry: (key: string) => void;
  /** Pause, resume, or the file picked again, for an upload in parts. */
  onControl: (key: string, control: PartsControl) => void;
  filesPanel: { open: boolean; count: number; controls: string; onToggle: () => void };
  /** Sends the text with the ready files; resolves true once the server has taken the message. */
  onSend: (content: string, files: ComposerFile[]) => Promise<boolean>;
  onStop: () => void;
  /** A turn is being answered (in this tab or another): Send turns into Stop. */
  streaming: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** A note above the message box (the offline model's hint). */
  notice?: ReactNode;
  /**
   * Whether the chat's model reads images. If not, attached images still go with the message,
   * and a hint says that the model will read only the text.
   */
  modelSeesImages: boolean;
}

/**
 * Where a message is written and its files gathered: picked, pasted, or dropped on the page.
 * Enter sends (with the files that are ready), Shift+Enter starts a new line; while the answer
 * streams, Send is a Stop button.
 */
export function Composer({
  files: attached,
  accept,
  onAddFiles,
  onRemove,
  onRetry,
  onControl,
  filesPanel,
  onSend,
  onStop,
  streaming,
  inputRef,
  notice,
  modelSeesImages,
  className = '',
}: ComposerProps & { className?: string }) {
  const hintId = useId();
  const imagesHintId = useId();
  const list = useRef<HTMLUListElement>(null);
  const attachArea = useRef<HTMLDivElement>(null);
  const action = useRef<HTMLButtonElement>(null);
  const [text, setText] = useState('');
  // Files sent leave the list, but were not "removed": the announcer keeps them, so it stays quiet.
  const [sentFiles, setSentFiles] = useState<ComposerFile[]>([]);
  const announced = useMemo(() => [...sentFiles, ...attached], [sentFiles, attached]);
  const hint = sendHint(attached, text);
  const canSend = !streaming && !hint.blocks;
  // Said before sending, not only on the answer: the user may still want to pick another model.
  const imagesUnseen =
    !modelSeesImages && attached.some((file) => file.kind === 'image' && !BROKEN.has(file.status.state));

  // The Stop button turns back into Send when the answer ends: the focus goes back to writing.
  // A layout effect, to move it before the browser drops it from the now disabled button.
  useLayoutEffect(() => {
    if (!streaming && document.activeElement === action.current && action.current?.disabled)
      inputRef.current?.focus();
  }, [streaming, inputRef]);

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

  const send = async () => {
    if (!canSend) return;
    const draft = text;
    const files = attached.filter((file) => SENDABLE.has(file.status.state));
    const taken = await onSend(draft.trim(), files);
    if (!taken) return;
    // Text typed while the message was on its way stays.
    setText((current) => (current === draft ? '' : current));
    setSentFiles((current) => [...current, ...files]);
  };
  const submitted = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  };
  const stop = () => {
    onStop();
    inputRef.current?.focus();
  };

  return (
    <div className={`border-t border-zinc-200 p-3 md:p-4 dark:border-zinc-800 ${className}`}>
      <form
        aria-label="Message composer"
        className="mx-auto flex max-w-3xl flex-col gap-2"
        onPaste={pasted}
        onSubmit={submitted}
      >
        {notice}
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
                onControl={(control) => onControl(file.key, control)}
              />
            ))}
          </ul>
        )}
        {imagesUnseen && <UnseenImagesHint id={imagesHintId} />}
        <StatusAnnouncer files={announced} />
        <textarea
          ref={inputRef}
          aria-label="Message"
          placeholder="Write a message, or paste or drop files"
          rows={2}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={keyDown}
          className="field-sizing-content max-h-[min(16rem,40dvh)] min-h-[3.75rem] min-w-0 resize-none rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900"
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
          <p
            id={hintId}
            className="ml-auto min-w-0 flex-1 text-right text-xs text-zinc-600 dark:text-zinc-400"
          >
            {streaming ? '' : hint.text}
          </p>
          {/* One element for both, so that the focus stays on it as it turns from Send to Stop and back. */}
          {streaming ? (
            <Button ref={action} variant="secondary" onClick={stop}>
              <StopIcon />
              Stop
            </Button>
          ) : (
            <Button
              ref={action}
              type="submit"
              disabled={!canSend}
              aria-describedby={imagesUnseen ? `${hintId} ${imagesHintId}` : hintId}
            >
              Send
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
