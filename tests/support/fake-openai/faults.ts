import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './http';

export interface FailSpec {
  /** How many of the next calls fail (default 1). */
  times?: number;
  status: number;
  message?: string;
  code?: string | null;
  type?: string;
}

interface EndpointFaults {
  failures: (FailSpec & { remaining: number })[];
  drops: number;
  delayMs: number;
}

/** Per-endpoint scripted misbehaviour, keyed like the SDK methods (`files.create`, `vector_stores.files.retrieve`). */
export class Faults {
  private readonly byEndpoint = new Map<string, EndpointFaults>();

  constructor(private readonly endpoints: Set<string>) {}

  fail(endpoint: string, spec: FailSpec) {
    this.entry(endpoint).failures.push({ ...spec, remaining: spec.times ?? 1 });
  }

  delay(endpoint: string, ms: number) {
    this.entry(endpoint).delayMs = ms;
  }

  dropConnection(endpoint: string, times = 1) {
    this.entry(endpoint).drops += times;
  }

  reset() {
    this.byEndpoint.clear();
  }

  /**
   * Runs before the handler: throws an injected failure, or resolves true when it dropped the connection
   * (after the first body chunk, as a provider dying mid-upload would).
   */
  async apply(endpoint: string, req: IncomingMessage, signal: AbortSignal): Promise<boolean> {
    const entry = this.byEndpoint.get(endpoint);
    if (!entry) return false;
    // Decide before sleeping so that concurrent calls use up the counts in arrival order.
    const drop = entry.drops > 0;
    const failure = drop ? undefined : entry.failures[0];
    if (drop) entry.drops--;
    if (failure && --failure.remaining <= 0) entry.failures.shift();
    if (entry.delayMs > 0) await sleep(entry.delayMs, undefined, { signal });
    if (drop) {
      await new Promise((resolve) => req.once('data', resolve).once('end', resolve));
      req.socket.destroy();
      return true;
    }
    if (!failure) return false;
    throw new ApiError(failure.status, failure.message ?? `Injected failure (${failure.status}).`, {
      type: failure.type ?? (failure.status >= 500 ? 'server_error' : 'invalid_request_error'),
      code: failure.code ?? null,
      // Without this the SDK retries with backoff and a failure test costs seconds.
      headers: { 'x-should-retry': 'false' },
    });
  }

  private entry(endpoint: string): EndpointFaults {
    // An ApiError so that the HTTP control plane answers 400; a typo must not silently inject nothing.
    if (!this.endpoints.has(endpoint)) throw new ApiError(400, `Unknown fake-openai endpoint '${endpoint}'.`);
    let entry = this.byEndpoint.get(endpoint);
    if (!entry) {
      entry = { failures: [], drops: 0, delayMs: 0 };
      this.byEndpoint.set(endpoint, entry);
    }
    return entry;
  }
}
