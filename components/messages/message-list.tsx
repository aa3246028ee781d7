'use client';

import type { AttachmentView } from '@/components/attachments/attachment-queries';
import { Button } from '@/components/ui/button';
import { AnswerBubble, UserBubble, WorkingDots } from './message-bubble';
import { TurnErrorBanner } from './turn-error-banner';
import type { Conversation } from './use-conversation';
import type { useStickToBottom } from './use-stick-to-bottom';

interface MessageListProps {
  conversation: Conversation;
  /** The chat's files, for what the citations point at. */
  attachments: AttachmentView[] | undefined;
  offline: boolean;
  onRetry: (requestId: string) => void;
  scroll: ReturnType<typeof useStickToBottom<HTMLElement, HTMLDivElement>>;
  className?: string;
}

function EmptyState({ offline }: { offline: boolean }) {
  return (
    <div className="m-auto max-w-sm py-8 text-center text-sm text-zinc-600 dark:text-zinc-400">
      <p className="font-medium text-zinc-800 dark:text-zinc-200">No messages yet</p>
      <p className="mt-1">
        {offline
          ? 'Attach documents, then ask about them: the answer quotes the passages that match. Images are kept and previewed, but the offline mode cannot describe them.'
          : 'Write a message below. Attach files to ask about them.'}
      </p>
    </div>
  );
}

/**
 * The conversation, oldest first, with "Show earlier messages" above it. The finished messages
 * form a polite log (a screen reader hears each new message once, the answer when it is complete);
 * the answer being written sits just after the log, outside it, so its growing text is not read
 * out delta by delta.
 */
export function MessageList({
  conversation,
  attachments,
  offline,
  onRetry,
  scroll,
  className = '',
}: MessageListProps) {
  const { list, transcript, banner } = conversation;
  const { bubbles, writing } = transcript;

  return (
    <section
      aria-label="Messages"
      ref={scroll.scroller}
      className={`relative flex-1 overflow-y-auto ${className}`}
    >
      <div
        ref={scroll.content}
        className="mx-auto flex min-h-full w-full max-w-3xl flex-col gap-6 px-4 py-6 md:px-6"
      >
        {list.hasNextPage && (
          <div className="flex justify-center">
            <Button
              variant="secondary"
              onClick={() => void scroll.keepPlace(() => list.fetchNextPage())}
              disabled={list.isFetchingNextPage}
            >
              {list.isFetchingNextPage ? 'Loading earlier messages…' : 'Show earlier messages'}
            </Button>
          </div>
        )}
        {list.isPending && (
          <p role="status" className="m-auto text-sm text-zinc-600 dark:text-zinc-400">
            Loading messages…
          </p>
        )}
        {list.isError && !list.data && (
          <div role="alert" className="m-auto flex flex-col items-center gap-2 text-center text-sm">
            <p className="text-red-700 dark:text-red-400">The messages could not be loaded.</p>
            <Button variant="secondary" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </div>
        )}
        {list.isSuccess && bubbles.length === 0 && !writing && !conversation.generating && (
          <EmptyState offline={offline} />
        )}
        {list.isSuccess && (
          <div role="log" aria-live="polite" aria-label="Conversation" className="flex flex-col gap-6">
            {bubbles.map((bubble) =>
              bubble.role === 'user' ? (
                <UserBubble key={bubble.key} bubble={bubble} />
              ) : (
                <AnswerBubble
                  key={bubble.key}
                  bubble={bubble}
                  attachments={attachments}
                  // The banner below speaks for the answer it offers to retry.
                  explainFailure={banner?.retryRequestId !== bubble.requestId}
                />
              ),
            )}
          </div>
        )}
        {writing && <AnswerBubble bubble={writing} attachments={attachments} />}
        {conversation.generating && (
          <p role="status" className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
            <WorkingDots />
            Generating an answer…
          </p>
        )}
        {banner && (
          <TurnErrorBanner
            problem={banner}
            onRetry={onRetry}
            onDismiss={conversation.dismissBanner}
            retryDisabled={conversation.streaming || conversation.generating}
          />
        )}
      </div>
      {scroll.awayFromEnd && (writing || conversation.generating) && (
        <div className="pointer-events-none sticky bottom-3 flex justify-center">
          <Button variant="secondary" className="pointer-events-auto shadow-md" onClick={scroll.toEnd}>
            Jump to the latest
          </Button>
        </div>
      )}
    </section>
  );
}
