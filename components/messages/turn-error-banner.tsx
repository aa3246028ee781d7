import { RetryIcon } from '@/components/attachments/icons';
import { Button } from '@/components/ui/button';
import { CloseIcon } from '@/components/ui/icons';
import { canRetryTurn, turnErrorSentence } from './error-sentences';
import type { TurnProblem } from './use-turn-stream';

/** Why the last send or answer failed, in a sentence, with Retry when a retry can help. */
export function TurnErrorBanner({
  problem,
  onRetry,
  onDismiss,
  retryDisabled,
}: {
  problem: TurnProblem;
  onRetry: (requestId: string) => void;
  onDismiss?: () => void;
  retryDisabled: boolean;
}) {
  const { retryRequestId } = problem;
  const wait =
    problem.retryAfterMs && problem.retryAfterMs > 0
      ? ` Try again in ${Math.ceil(problem.retryAfterMs / 1000)} s.`
      : '';
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-200"
    >
      <p className="min-w-0 flex-1 basis-60">
        {turnErrorSentence(problem.code)}
        {wait}
      </p>
      <div className="flex items-center gap-1">
        {retryRequestId && canRetryTurn(problem.code) && (
          <Button variant="secondary" onClick={() => onRetry(retryRequestId)} disabled={retryDisabled}>
            <RetryIcon />
            Retry
          </Button>
        )}
        {onDismiss && (
          <Button variant="icon" aria-label="Dismiss" onClick={onDismiss}>
            <CloseIcon />
          </Button>
        )}
      </div>
    </div>
  );
}
