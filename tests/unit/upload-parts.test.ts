import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/components/api';
import { contentDigest } from '@/components/attachments/parts/browser';
import { PauseGate, type UploadProgress } from '@/components/attachments/parts/progress';
import {
  cancelInParts,
  differenceFrom,
  interruptedUploads,
  type RecordStorage,
  resumeInParts,
  uploadInParts,
} from '@/components/attachments/parts/resumable';
import {
  MAX_PART_ATTEMPTS,
  PARALLEL_PARTS,
  type PartsApi,
  type PartsDeps,
  partRanges,
  retryDelayMs,
  sendParts,
} from '@/components/attachments/parts/upload-parts';
import type { UploadView } from '@/lib/attachments/chunked/view';
import type { AttachmentView } from '@/lib/attachments/view';

const MiB = 1024 * 1024;
const PART = 4 * MiB;

/** A file of `size` bytes whose every part differs. */
function fileOf(size: number, name = 'report.pdf', seed = 0): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096 + seed) % 251;
  return new File([bytes], name, { type: 'application/pdf', lastModified: 1_700_000_000_000 });
}

const sha256 = async (blob: Blob) =>
  `sha-256=:${createHash('sha256')
    .update(new Uint8Array(await blob.arrayBuffer()))
    .digest('base64')}:`;

type Fault = { status: number; retryAfterMs?: number } | 'network';

/** The server side of the protocol, in memory, with faults per part and a hold on every send. */
function fakeServer() {
  const received = new Map<string, Map<number, string>>();
  const faults = new Map<number, Fault[]>();
  const states = new Map<string, UploadView['state']>();
  const puts: number[] = [];
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let hold: Promise<void> | null = null;
  let nextId = 1;
  const view = (id: string) => ({ id: `att-${id}`, status: 'ready' }) as AttachmentView;
  const upload = (
    id: string,
    size: number,
    state: UploadView['state'],
    attachment: AttachmentView,
  ): UploadView => ({
    upload_id: id,
    state,
    size_bytes: size,
    part_size: PART,
    part_count: Math.ceil(size / PART),
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    received_parts: [...(received.get(id)?.keys() ?? [])],
    attachment,
  });
  const api: PartsApi = {
    async create(_chatId, input) {
      const id = `up-${nextId++}`;
      received.set(id, new Map());
      log.push(`create ${input.filename} ${input.size_bytes}`);
      return upload(id, input.size_bytes, 'uploading', { ...view(id), status: 'uploading' });
    },
    async status(id) {
      const parts = received.get(id);
      if (!parts) throw new ApiError('gone', 404, 'not_found');
      return upload(id, 0, states.get(id) ?? 'uploading', view(id));
    },
    async putPart({ uploadId, partNumber, body, digest, signal, onProgress }) {
      puts.push(partNumber);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        onProgress(body.size / 2);
        if (hold) {
          await Promise.race([
            hold,
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
            ),
          ]);
        }
        if (signal.aborted) throw signal.reason;
        const fault = faults.get(partNumber)?.shift();
        if (fault === 'network') throw new ApiError('lost', 0, 'network_error');
        if (fault) throw new ApiError('busy', fault.status, 'x', {}, fault.retryAfterMs ?? null);
        expect(digest).toBe(await sha256(body));
        onProgress(body.size);
        received.get(uploadId)?.set(partNumber, digest);
      } finally {
        inFlight--;
      }
    },
    async complete(id) {
      log.push(`complete ${id}`);
      return upload(id, 0, 'completed', view(id));
    },
    async cancel(id) {
      log.push(`cancel ${id}`);
      received.delete(id);
    },
  };
  return {
    api,
    received,
    faults,
    states,
    puts,
    log,
    maxInFlight: () => maxInFlight,
    /** Sends wait until the returned function is called. */
    holdSends() {
      let release = () => {};
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

function depsFor(server: ReturnType<typeof fakeServer>) {
  let clock = 0;
  const sleeps: number[] = [];
  const deps: PartsDeps = {
    api: server.api,
    digest: contentDigest,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw signal.reason;
      sleeps.push(ms);
      clock += ms;
    },
    now: () => (clock += 100),
    random: () => 1,
  };
  return { deps, sleeps };
}

const memoryStorage = (): RecordStorage & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
};

const input = (file: Blob, overrides: Partial<Parameters<typeof sendParts>[1]> = {}) => ({
  file,
  uploadId: 'up-x',
  partSize: PART,
  received: new Set<number>(),
  signal: new AbortController().signal,
  gate: new PauseGate(),
  onProgress: () => {},
  ...overrides,
});

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
};

describe('cutting a file into parts', () => {
  it('makes parts of the part size, the last one the rest', () => {
    const parts = partRanges(25 * MiB, PART);
    expect(parts).toHaveLength(7);
    expect(parts[6]).toEqual({ partNumber: 7, start: 24 * MiB, end: 25 * MiB });
    expect(partRanges(8 * MiB, PART).map((p) => p.end - p.start)).toEqual([PART, PART]);
  });

  it('hashes each part as Content-Digest wants it', async () => {
    const blob = new Blob(['hello']);
    expect(await contentDigest(blob)).toBe('sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:');
  });
});

describe('sending the parts', () => {
  it('sends every part once, three at a time, with one progress across all of them', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    server.received.set('up-x', new Map());
    const progress: UploadProgress[] = [];
    const release = server.holdSends();
    const sending = sendParts(deps, input(fileOf(25 * MiB), { onProgress: (p) => progress.push(p) }));
    await waitFor(() => server.puts.length === PARALLEL_PARTS);
    // Three halves in flight show as one bar.
    expect(progress.at(-1)?.loaded).toBe((3 * PART) / 2);
    release();
    await sending;
    expect(server.maxInFlight()).toBe(PARALLEL_PARTS);
    expect([...server.puts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(progress.at(-1)).toMatchObject({ loaded: 25 * MiB, total: 25 * MiB });
    expect(progress.at(-1)?.bytesPerSecond).toBeGreaterThan(0);
  });

  it("waits the server's Retry-After after a 503, backs off after a lost connection, then succeeds", async () => {
    const server = fakeServer();
    const { deps, sleeps } = depsFor(server);
    server.received.set('up-x', new Map());
    server.faults.set(2, [
      { status: 503, retryAfterMs: 7_000 },
      'network',
      { status: 429, retryAfterMs: 2_000 },
    ]);
    await sendParts(deps, input(fileOf(9 * MiB)));
    expect(sleeps).toEqual([7_000, 2_000, 2_000]);
    expect(server.puts.filter((n) => n === 2)).toHaveLength(4);
    expect([...(server.received.get('up-x')?.keys() ?? [])].sort()).toEqual([1, 2, 3]);
  });

  it('backs off 1 s, 2 s, 4 s… up to 30 s, with jitter', () => {
    const lost = new ApiError('lost', 0, 'network_error');
    expect([1, 2, 3, 6, 10].map((attempt) => retryDelayMs(attempt, lost, () => 1))).toEqual([
      1_000, 2_000, 4_000, 30_000, 30_000,
    ]);
    expect(retryDelayMs(1, lost, () => 0)).toBe(500);
  });

  it('gives up on a part after the last attempt, and on a refusal at once, stopping the others', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    server.received.set('up-x', new Map());
    server.faults.set(
      1,
      Array.from({ length: MAX_PART_ATTEMPTS }, () => ({ status: 502 })),
    );
    await expect(sendParts(deps, input(fileOf(5 * MiB)))).rejects.toMatchObject({ status: 502 });
    expect(server.puts.filter((n) => n === 1)).toHaveLength(MAX_PART_ATTEMPTS);

    const refused = fakeServer();
    refused.received.set('up-x', new Map());
    refused.faults.set(1, [{ status: 409 }]);
    await expect(sendParts(depsFor(refused).deps, input(fileOf(25 * MiB)))).rejects.toMatchObject({
      status: 409,
    });
    // The parts already in flight finish or stop; none is started after the refusal.
    expect(refused.puts.length).toBeLessThanOrEqual(PARALLEL_PARTS);
  });

  it('pauses (the parts in flight stop and start over later, at no attempt) and resumes', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    server.received.set('up-x', new Map());
    const gate = new PauseGate();
    const release = server.holdSends();
    const sending = sendParts(deps, input(fileOf(25 * MiB), { gate }));
    await waitFor(() => server.puts.length === 3);
    gate.pause();
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing more is sent while paused, and nothing reached the server.
    expect(server.puts).toHaveLength(3);
    expect(server.received.get('up-x')?.size).toBe(0);
    gate.resume();
    await sending;
    expect(server.received.get('up-x')?.size).toBe(7);
    expect(server.puts).toHaveLength(10);
  });

  it('stops at once when cancelled, even while paused', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    const cancel = new AbortController();
    const gate = new PauseGate();
    gate.pause();
    const sending = sendParts(deps, input(fileOf(9 * MiB), { gate, signal: cancel.signal }));
    cancel.abort(new DOMException('cancelled', 'AbortError'));
    await expect(sending).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.puts).toEqual([]);
  });
});

describe('resuming after a reload', () => {
  it('remembers the upload, recognises the same file, and sends only the missing parts', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    const storage = memoryStorage();
    const file = fileOf(25 * MiB);
    const gate = new PauseGate();
    const cancel = new AbortController();
    const release = server.holdSends();
    let created = false;
    const first = uploadInParts(deps, {
      chatId: 'chat-1',
      file,
      type: 'application/pdf',
      signal: cancel.signal,
      gate,
      storage,
      onProgress: () => {},
      onCreated: () => (created = true),
      onSent: () => {},
    });
    await waitFor(() => server.puts.length === 3);
    expect(created).toBe(true);
    // Three parts land, then the page goes away.
    release();
    await waitFor(() => (server.received.get('up-1')?.size ?? 0) >= 3);
    cancel.abort(new DOMException('reload', 'AbortError'));
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const heldBefore = [...(server.received.get('up-1')?.keys() ?? [])];

    const [record] = interruptedUploads(storage, 'chat-1', Date.now());
    expect(record).toMatchObject({ upload_id: 'up-1', name: 'report.pdf', size: 25 * MiB, part_size: PART });
    expect(interruptedUploads(storage, 'another-chat', Date.now())).toEqual([]);
    if (!record) return;

    expect(await differenceFrom(deps, record, fileOf(24 * MiB, 'other.pdf'))).toMatch(/has another size/);
    expect(await differenceFrom(deps, record, fileOf(25 * MiB, 'report.pdf', 7))).toMatch(/content differs/);
    const again = fileOf(25 * MiB);
    expect(await differenceFrom(deps, record, again)).toBeNull();

    server.puts.length = 0;
    const view = await resumeInParts(deps, record, {
      file: again,
      signal: new AbortController().signal,
      gate: new PauseGate(),
      storage,
      onProgress: () => {},
      onSent: () => {},
    });
    expect(view.id).toBe('att-up-1');
    expect([...server.puts].sort()).toEqual([1, 2, 3, 4, 5, 6, 7].filter((n) => !heldBefore.includes(n)));
    expect(server.received.get('up-1')?.size).toBe(7);
    expect(server.log.at(-1)).toBe('complete up-1');
    expect(interruptedUploads(storage, 'chat-1', Date.now())).toEqual([]);
  });

  it('forgets an upload the server no longer has, and expired ones, and cancelled ones', async () => {
    const server = fakeServer();
    const { deps } = depsFor(server);
    const storage = memoryStorage();
    const record = {
      upload_id: 'up-gone',
      chat_id: 'chat-1',
      attachment_id: 'att',
      name: 'a.pdf',
      size: 10,
      last_modified: 0,
      type: 'application/pdf',
      part_size: PART,
      part1_digest: '',
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    };
    const { rememberUpload } = await import('@/components/attachments/parts/resumable');
    rememberUpload(storage, record);
    const resume = (id: string) =>
      resumeInParts(
        deps,
        { ...record, upload_id: id },
        {
          file: fileOf(10),
          signal: new AbortController().signal,
          gate: new PauseGate(),
          storage,
          onProgress: () => {},
          onSent: () => {},
        },
      );
    await expect(resume('up-gone')).rejects.toMatchObject({ status: 404 });
    expect(interruptedUploads(storage, 'chat-1', Date.now())).toEqual([]);

    rememberUpload(storage, {
      ...record,
      upload_id: 'old',
      expires_at: new Date(Date.now() - 1).toISOString(),
    });
    expect(interruptedUploads(storage, 'chat-1', Date.now())).toEqual([]);
    expect(storage.data.size).toBe(0);

    // Completed before the reload (its answer lost): the completion, idempotent, says how it ended,
    // and nothing is sent again. Expired meanwhile: forgotten, with a reason.
    for (const [id, state] of [
      ['up-done', 'completed'],
      ['up-late', 'expired'],
    ] as const) {
      server.received.set(id, new Map());
      server.states.set(id, state);
      rememberUpload(storage, { ...record, upload_id: id });
    }
    server.puts.length = 0;
    expect((await resume('up-done')).id).toBe('att-up-done');
    await expect(resume('up-late')).rejects.toMatchObject({ status: 409, code: 'upload_expired' });
    expect(server.puts).toEqual([]);
    expect(storage.data.size).toBe(0);

    rememberUpload(storage, { ...record, upload_id: 'up-9' });
    await cancelInParts(deps, storage, 'up-9');
    expect(server.log).toContain('cancel up-9');
    expect(storage.data.size).toBe(0);
  });
});

describe("the page's places for parts", () => {
  it('lets three parts go at once across every upload, and a part cancelled while waiting leaves its turn', async () => {
    const { inSlot } = await import('@/components/attachments/parts/browser');
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        most = Math.max(most, ++running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const live = new AbortController().signal;
    const cancelled = new AbortController();
    const done = [inSlot(live, task), inSlot(live, task), inSlot(live, task)];
    const waiting = inSlot(cancelled.signal, task);
    const last = inSlot(live, task);
    await waitFor(() => releases.length === 3);
    cancelled.abort(new DOMException('cancelled', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    releases.shift()?.();
    await waitFor(() => releases.length === 3);
    for (const release of releases.splice(0)) release();
    await Promise.all([...done, last]);
    expect(most).toBe(3);
  });
});
