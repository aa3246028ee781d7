import { ApiError } from '@/components/api';
import type { UploadView } from '@/lib/attachments/chunked/view';
import { type PauseGate, ProgressMeter, type UploadProgress } from './progress';

/*
 * A file larger than one part goes up in parts (issue 13's protocol: create, parts, status,
 * complete, cancel), so that no request body passes Vercel's 4.5 MB. Plain TypeScript, no React:
 * the transport, the hash, the clock and the waits are handed in, so tests drive it without a
 * browser.
 */

/** Above this a file goes in parts; the server's `part_size` decides how they are cut. */
export const PART_SIZE_BYTES = 4 * 1024 * 1024;
export const PARALLEL_PARTS = 3;
/** Sends of one part before the upload fails with that part's error. */
export const MAX_PART_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 30_000;

/** The protocol's calls; each rejects with an ApiError (status 0 when no answer came). */
export interface PartsApi {
  create(
    chatId: string,
    input: { filename: string; size_bytes: number; content_type: string },
  ): Promise<UploadView>;
  status(uploadId: string): Promise<UploadView>;
  putPart(request: {
    uploadId: string;
    partNumber: number;
    body: Blob;
    /** `sha-256=:<base64>:` */
    digest: string;
    signal: AbortSignal;
    onProgress: (loaded: number) => void;
  }): Promise<void>;
  complete(uploadId: string): Promise<UploadView>;
  cancel(uploadId: string): Promise<void>;
}

export interface PartsDeps {
  api: PartsApi;
  /** The part's SHA-256 in Content-Digest form. */
  digest(blob: Blob): Promise<string>;
  /** Resolves after `ms`, or rejects with the signal's reason. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  random(): number;
}

export interface PartRange {
  partNumber: number;
  start: number;
  end: number;
}

export function partRanges(size: number, partSize: number): PartRange[] {
  const count = Math.max(1, Math.ceil(size / partSize));
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSize,
    end: Math.min(size, (i + 1) * partSize),
  }));
}

/** Nobody answered, or the server asks to be tried again later; anything else is final. */
export const isTransient = (error: unknown) =>
  error instanceof ApiError &&
  (error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500);

/** The server's Retry-After when it gave one; else 1 s, 2 s, 4 s… up to 30 s, with jitter. */
export function retryDelayMs(attempt: number, error: unknown, random: () => number): number {
  if (error instanceof ApiError && error.retryAfterMs !== null) return error.retryAfterMs;
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

export interface SendPartsInput {
  file: Blob;
  uploadId: string;
  partSize: number;
  /** Parts the server already holds (after a reload): not sent again. */
  received: ReadonlySet<number>;
  /** Cancelling: every part in flight stops and the upload rejects with an AbortError. */
  signal: AbortSignal;
  gate: PauseGate;
  onProgress: (progress: UploadProgress) => void;
}

/**
 * Sends every part the server lacks, {@link PARALLEL_PARTS} at a time, each hashed first. A part
 * that fails for a transient reason is sent again after a backoff (the server's Retry-After when
 * it names one); pausing aborts the parts in flight, which start over on resume. The first final
 * failure stops the others and is thrown.
 */
export async function sendParts(deps: PartsDeps, input: SendPartsInput): Promise<void> {
  const ranges = partRanges(input.file.size, input.partSize);
  const meter = new ProgressMeter(input.file.size, deps.now);
  for (const range of ranges) {
    if (input.received.has(range.partNumber)) meter.done(range.partNumber, range.end - range.start);
  }
  const report = () => input.onProgress(meter.snapshot());
  report();
  const queue = ranges.filter((range) => !input.received.has(range.partNumber));
  const failure = new AbortController();
  const stop = AbortSignal.any([input.signal, failure.signal]);

  const sendOne = async (range: PartRange) => {
    const body = input.file.slice(range.start, range.end);
    const digest = await deps.digest(body);
    for (let attempt = 1; ; attempt++) {
      const running = await input.gate.running(stop);
      try {
        await deps.api.putPart({
          uploadId: input.uploadId,
          partNumber: range.partNumber,
          body,
          digest,
          signal: AbortSignal.any([stop, running]),
          onProgress: (loaded) => {
            meter.part(range.partNumber, loaded);
            report();
          },
        });
        meter.done(range.partNumber, range.end - range.start);
        report();
        return;
      } catch (error) {
        meter.part(range.partNumber, 0);
        report();
        if (stop.aborted) throw stop.reason;
        // Paused: the part starts over once resumed, and the pause costs it no attempt.
        if (running.aborted && isAbort(error)) {
          attempt--;
          continue;
        }
        if (!isTransient(error) || attempt >= MAX_PART_ATTEMPTS) throw error;
        await deps.sleep(retryDelayMs(attempt, error, deps.random), stop);
      }
    }
  };

  const worker = async () => {
    for (let range = queue.shift(); range; range = queue.shift()) await sendOne(range);
  };
  const workers = Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, worker);
  const outcomes = await Promise.allSettled(
    workers.map((run) =>
      run.catch((error: unknown) => {
        failure.abort(error);
        throw error;
      }),
    ),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw input.signal.aborted ? input.signal.reason : failure.signal.reason;
}
