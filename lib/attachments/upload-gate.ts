import { AppError } from '@/lib/errors';

/**
 * A per-process cap on uploads in flight: past it, answer at once with 503 and Retry-After
 * rather than queue streams that hold sockets and memory.
 */
export function createUploadGate(max: number) {
  let inFlight = 0;
  return {
    enter(): () => void {
      if (inFlight >= max) {
        throw new AppError(
          'upload_concurrency_limit',
          'Too many uploads are in progress; try again in a few seconds.',
          {
            headers: { 'retry-after': '5' },
          },
        );
      }
      inFlight++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight--;
      };
    },
    get inFlight() {
      return inFlight;
    },
  };
}

export type UploadGate = ReturnType<typeof createUploadGate>;
