import type { AttachmentView } from '@/components/attachments/attachment-queries';
import { useModels } from '@/components/chats/model-queries';
import { CitationChips } from './citation-chips';
import { turnErrorSentence } from './error-sentences';
import type { Bubble } from './live-turn';
import { Markdown } from './markdown';
import { MessageAttachments } from './message-attachments';
import { ToolActivityList } from './tool-activity';
import { UnseenImagesNote } from './unseen-images';

export function UserBubble({ bubble }: { bubble: Bubble & { role: 'user' } }) {
  return (
    <article className="flex flex-col items-end gap-2 pl-8 sm:pl-16">
      <h3 className="sr-only">You said</h3>
      <MessageAttachments attachments={bubble.attachments} />
      {bubble.content && (
        <p className="max-w-full rounded-2xl rounded-br-md bg-zinc-100 px-4 py-2 text-sm whitespace-pre-wrap break-words dark:bg-zinc-800">
          {bubble.content}
        </p>
      )}
    </article>
  );
}

/** Dots that say "working": decorative, the words beside them speak. */
export function WorkingDots() {
  return (
    <span aria-hidden="true" className="inline-flex gap-0.5">
      {[0, 150, 300].map((delay) => (
        <span
          key={delay}
          className="size-1.5 rounded-full bg-zinc-400 motion-safe:animate-bounce dark:bg-zinc-500"
          style={{ animationDelay: `${delay}ms` }}
        />
      ))}
    </span>
  );
}

function AnswerNote({
  bubble,
  explainFailure,
}: {
  bubble: Bubble & { role: 'assistant' };
  explainFailure: boolean;
}) {
  const notes: { text: string; tone: 'muted' | 'bad' }[] = [];
  if (bubble.state === 'cancelled') notes.push({ text: 'Stopped', tone: 'muted' });
  if (bubble.state === 'failed')
    notes.push({
      text: explainFailure
        ? `No complete answer: ${turnErrorSentence(bubble.errorCode)}`
        : 'No complete answer',
      tone: 'bad',
    });
  if (bubble.finishReason === 'length')
    notes.push({ text: 'The answer reached its length limit.', tone: 'muted' });
  if (bubble.finishReason === 'content_filter')
    notes.push({ text: 'The rest of the answer was withheld by the content filter.', tone: 'muted' });
  if (notes.length === 0) return null;
  return (
    <div className="mt-2 flex flex-wrap gap-2">
      {notes.map((note) => (
        <span
          key={note.text}
          className={`rounded-full px-2 py-0.5 text-xs font-medium ${
            note.tone === 'bad'
              ? 'bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-300'
              : 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300'
          }`}
        >
          {note.text}
        </span>
      ))}
    </div>
  );
}

/** Which model wrote an answer, by its name when the catalog still lists it. */
function AnswerModel({ id }: { id: string }) {
  const { data } = useModels();
  const name = data?.items.find((model) => model.id === id)?.display_name ?? id;
  return <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">Answered by {name}</p>;
}

/**
 * An answer: the tools it used, its markdown, how it ended when not plainly, and the files it
 * cites. `explainFailure` is off for the last answer, whose failure the banner below explains.
 */
export function AnswerBubble({
  bubble,
  attachments,
  explainFailure = true,
}: {
  bubble: Bubble & { role: 'assistant' };
  attachments: AttachmentView[] | undefined;
  explainFailure?: boolean;
}) {
  const writing = bubble.state === 'streaming';
  return (
    <article className="min-w-0 pr-2 text-sm leading-relaxed sm:pr-8">
      <h3 className="sr-only">Answer</h3>
      <ToolActivityList tools={bubble.tools} />
      {bubble.content && (
        <div className="min-w-0 break-words">
          <Markdown content={bubble.content} />
        </div>
      )}
      {writing && (
        <p role="status" className="mt-1 flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <WorkingDots />
          {bubble.content || bubble.tools.length > 0 ? 'Writing…' : 'Thinking…'}
        </p>
      )}
      {!writing && <AnswerNote bubble={bubble} explainFailure={explainFailure} />}
      {/* Known from the stream's start, so shown while the answer is written too. */}
      {bubble.unseenImages ? <UnseenImagesNote count={bubble.unseenImages} /> : null}
      <CitationChips citations={bubble.citations} attachments={attachments} />
      {bubble.model && <AnswerModel id={bubble.model} />}
    </article>
  );
}
