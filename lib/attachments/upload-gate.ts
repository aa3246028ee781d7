import { AppError } from '@/lib/errors';

const RETRY_AFTER_SECONDS = '5';

const busy = (scope: 'user' | 'server', detail: string) =>
  new AppError('upload_concurrency_limit', detail, {
    extensions: { limit_scope: scope },
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
  });

/**
 * A cap on uploads in flight, in this process: past it, answer at once with 503 and Retry-After
 * rather than queue streams that hold sockets and memory. Each user has a share of it too, so that
 * one user (or one script) cannot take every place. The counts live in this process only: N
 * instances admit N times as many.
 */
export function createUploadGate(limits: { max: number; maxPerUser: number }) {
  let inFlight = 0;
  const perUser = new Map<string, number>();
  return {
    enter(userId: string): () => void {
      const mine = perUser.get(userId) ?? 0;
      if (mine >= limits.maxPerUser) {
        throw busy('user', 'You have too many uploads in progress; try again when one has finished.');
      }
      if (inFlight >= limits.max) {
        throw busy('server', 'Too many uploads are in progress; try again in a few seconds.');
      }
      inFlight++;
      perUser.set(userId, mine + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight--;
        const rest = (perUser.get(userId) ?? 1) - 1;
        if (rest > 0) perUser.set(userId, rest);
        else perUser.delete(userId);
      };
    },
    get inFlight() {
      return inFlight;
    },
  };
}

export type UploadGate = ReturnType<typeof createUploadGate>;
