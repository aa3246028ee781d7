import { eq } from 'drizzle-orm';
import { beforeEach, expect } from 'vitest';
import { getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { type WorkerDeps, withHandlers } from '@/lib/cleanup/worker';
import { attachments, outbox } from '@/lib/db/schema';
import type { FileBytes } from '@/lib/file-stores/local';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { PromMetrics } from '@/lib/metrics';
import { loadWorkerConfig, type WorkerConfig } from '@/lib/outbox/config';
import { drain } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeDeps, type TestDeps } from './attachments';
import type { FakeOpenAI } from './fake-openai';
import { makeUser, type TestUser } from './fixtures';
import { ownDatabaseForFile } from './own-database';

/**
 * Real time plus an offset that tests move by hand: leases lapse and backoffs pass without
 * sleeping, while rows the database stamps with its own now() stay comparable.
 */
export class TestClock {
  constructor(private offset = 0) {}
  readonly read = () => Date.now() + this.offset;
  get now(): number {
    return this.read();
  }
  advance(ms: number) {
    this.offset += ms;
  }
  /** Another clock this far ahead of this one. */
  ahead(ms: number): TestClock {
    return new TestClock(this.offset + ms);
  }
}

export type TestWorker = WorkerDeps & { metrics: PromMetrics; clock: () => number };

/** The worker over an attachment test's database and providers, with its own metrics registry. */
export function makeWorker(
  deps: Pick<TestDeps, 'db' | 'fileStores'>,
  clock: TestClock,
  config: Partial<WorkerConfig> = {},
  metrics = new PromMetrics(),
): TestWorker {
  return withHandlers({
    db: deps.db,
    fileStores: deps.fileStores,
    metrics,
    config: { ...loadWorkerConfig({}), ...config },
    clock: clock.read,
  }) as TestWorker;
}

/**
 * Drains, moving the clock past the longest backoff between passes, until nothing is left to
 * retry. Returns the number of passes.
 */
export async function drainUntilSettled(
  worker: TestWorker,
  clock: TestClock,
  maxPasses = 20,
): Promise<number> {
  for (let pass = 1; pass <= maxPasses; pass++) {
    const report = await drain(worker);
    if (report.retried === 0 && (await openJobs()) === 0) return pass;
    clock.advance(worker.config.backoffMaxMs + 1);
  }
  throw new Error(`the outbox did not settle in ${maxPasses} passes`);
}

async function openJobs(): Promise<number> {
  const rows = await (await getDb()).select().from(outbox);
  return rows.filter((row) => !row.completedAt && !row.deadAt).length;
}

/** The value of one series, 0 when it was never recorded. */
export async function metricValue(
  metrics: PromMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value ?? 0;
}

export const attachmentRow = async (id: string) =>
  (await (await getDb()).select().from(attachments).where(eq(attachments.id, id)))[0];

export const jobsOf = async (kind: string) =>
  await (await getDb()).select().from(outbox).where(eq(outbox.kind, kind));

export interface CleanupTestBed {
  fake: FakeOpenAI;
  deps: TestDeps;
  user: TestUser;
  clock: TestClock;
  worker: TestWorker;
}

/**
 * What a worker test file needs, fresh for each test: a database of the file's own, the fake
 * provider, attachment service dependencies, a user, a clock and a worker on that clock.
 */
export function cleanupTestBed(
  config: Partial<WorkerConfig> = {},
  options: { localBytes?: () => Promise<FileBytes> } = {},
): CleanupTestBed {
  ownDatabaseForFile();
  const server = fakeOpenAIForFile();
  const bed = {} as CleanupTestBed;
  beforeEach(async () => {
    bed.fake = server();
    bed.deps = await makeDeps(bed.fake, {}, undefined, await options.localBytes?.());
    bed.user = await makeUser();
    bed.clock = new TestClock();
    bed.worker = makeWorker(bed.deps, bed.clock, config);
  });
  return bed;
}

/** A document uploaded through the service and indexed: its attachment id, once `ready`. */
export async function readyDocument(
  bed: CleanupTestBed,
  chatId: string,
  text = 'The refund policy allows returns within 30 days.',
): Promise<string> {
  const outcome = await uploadFile(
    bed.deps,
    bed.user.caller,
    chatId,
    fileInput(text, { filename: 'policy.txt' }),
  );
  await outcome.indexing?.();
  expect((await getAttachment(bed.deps, bed.user.caller, chatId, outcome.attachment.id)).status).toBe(
    'ready',
  );
  return outcome.attachment.id;
}

/**
 * The provider as a process that dies right after the provider stored a file: the upload never
 * returns, so its row stays `pending` and nothing records the provider's file id.
 */
export function dyingAfterUpload(providers: (id: FileStoreId) => FileStore) {
  return (id: FileStoreId): FileStore => {
    const real = providers(id);
    return {
      ...real,
      files: {
        ...real.files,
        upload: async (input) => {
          await real.files.upload(input);
          return new Promise(() => {});
        },
      },
    };
  };
}
