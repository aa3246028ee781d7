/** One progress bar across all parts. */
export interface UploadProgress {
  loaded: number;
  total: number;
  /** Over the last few seconds; null until there is enough to say. */
  bytesPerSecond: number | null;
}

const SPEED_WINDOW_MS = 5_000;
const MIN_SPEED_SPAN_MS = 500;

/**
 * Bytes sent across parts in flight and parts done, and the speed over a sliding window. Speed
 * counts bytes as they leave, so a part that fails and starts over does not make it negative.
 */
export class ProgressMeter {
  private readonly partial = new Map<number, number>();
  private finished = 0;
  private sent = 0;
  private samples: { at: number; sent: number }[] = [];

  constructor(
    private readonly total: number,
    private readonly now: () => number,
  ) {}

  part(partNumber: number, loaded: number) {
    const before = this.partial.get(partNumber) ?? 0;
    if (loaded > before) this.sent += loaded - before;
    this.partial.set(partNumber, loaded);
    this.sample();
  }

  done(partNumber: number, bytes: number) {
    const before = this.partial.get(partNumber) ?? 0;
    this.partial.delete(partNumber);
    this.finished += bytes;
    // A part the server already had (after a reload) was not sent now: it does not count as speed.
    if (before > 0 && bytes > before) this.sent += bytes - before;
    this.sample();
  }

  private sample() {
    const at = this.now();
    this.samples.push({ at, sent: this.sent });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - SPEED_WINDOW_MS)
      this.samples.shift();
  }

  snapshot(): UploadProgress {
    let loaded = this.finished;
    for (const bytes of this.partial.values()) loaded += bytes;
    const first = this.samples[0];
    const last = this.samples.at(-1);
    const span = first && last ? last.at - first.at : 0;
    const bytesPerSecond =
      first && last && span >= MIN_SPEED_SPAN_MS
        ? Math.round(((last.sent - first.sent) * 1000) / span)
        : null;
    return { loaded: Math.min(loaded, this.total), total: this.total, bytesPerSecond };
  }
}

/**
 * Pause and resume for the parts in flight: pausing aborts the signal each part was sent with;
 * `running()` waits while paused and hands the next part a fresh signal.
 */
export class PauseGate {
  private controller = new AbortController();
  private waiting: { promise: Promise<void>; release: () => void } | null = null;

  get paused(): boolean {
    return this.waiting !== null;
  }

  pause() {
    if (this.waiting) return;
    let release = () => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.waiting = { promise, release };
    this.controller.abort(new DOMException('The upload was paused.', 'AbortError'));
  }

  resume() {
    if (!this.waiting) return;
    this.controller = new AbortController();
    const { release } = this.waiting;
    this.waiting = null;
    release();
  }

  /** Resolves, once not paused, with the signal a pause aborts; rejects if `stop` fires first. */
  async running(stop: AbortSignal): Promise<AbortSignal> {
    while (this.waiting) {
      const { promise } = this.waiting;
      await new Promise<void>((resolve, reject) => {
        if (stop.aborted) return reject(stop.reason);
        const onStop = () => reject(stop.reason);
        stop.addEventListener('abort', onStop, { once: true });
        void promise.then(() => {
          stop.removeEventListener('abort', onStop);
          resolve();
        });
      });
    }
    if (stop.aborted) throw stop.reason;
    return this.controller.signal;
  }
}
