import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type AttachmentConfig, loadAttachmentConfig } from '@/lib/attachments/config';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import type { UploadInput } from '@/lib/attachments/upload/upload-file';
import { createUploadGate } from '@/lib/attachments/upload-gate';
import { chats } from '@/lib/db/schema';
import { createIndexedFileStore, type FileBytes, folderBytes } from '@/lib/file-stores/local';
import { createOpenAIFileStore } from '@/lib/file-stores/openai';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { type ModelEntry, openaiModel } from '@/lib/models/catalog';
import { getDb } from '@/lib/runtime';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai';
import type { TestUser } from './fixtures';
import { InMemoryMetrics } from './metrics';

const model = (id: string, overrides: Partial<ModelEntry> = {}): ModelEntry => ({
  ...openaiModel(id, id, 128_000),
  ...overrides,
});

/** The catalog the attachment tests run against. */
export const TEST_MODELS: ModelEntry[] = [
  model('gpt-test'),
  model('gpt-no-tools', { codeInterpreter: false }),
  model('gpt-small', { maxFileSizeMb: 10 }),
  model('azure-test', { provider: 'azure' }),
  model('offline', { provider: 'offline', vision: false, codeInterpreter: false }),
];

export type TestDeps = AttachmentDeps & { metrics: InMemoryMetrics; storageDir: string };

/**
 * Attachment service dependencies wired to the fake OpenAI server and a temporary local folder
 * (or, with `localBytes`, the local index's files wherever those keep them).
 */
export async function makeDeps(
  fake: FakeOpenAI | undefined,
  config: Partial<AttachmentConfig> = {},
  catalog: ModelEntry[] = TEST_MODELS,
  localBytes?: FileBytes,
): Promise<TestDeps> {
  const storageDir = mkdtempSync(path.join(tmpdir(), 'minichat-files-'));
  const full: AttachmentConfig = {
    ...loadAttachmentConfig({}),
    indexingPollIntervalMs: 5,
    indexingTimeoutMs: 5_000,
    fileStorageDir: storageDir,
    ...config,
  };
  const providers = new Map<FileStoreId, FileStore>([
    ['local', createIndexedFileStore({ db: getDb, bytes: localBytes ?? folderBytes(storageDir) })],
  ]);
  if (fake) {
    providers.set(
      'openai',
      createOpenAIFileStore({
        id: 'openai',
        client: new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 }),
      }),
    );
    providers.set(
      'azure',
      createOpenAIFileStore({
        id: 'azure',
        client: new OpenAI({ apiKey: 'test', baseURL: `${fake.origin}/openai/v1`, maxRetries: 0 }),
      }),
    );
  }
  return {
    db: await getDb(),
    config: full,
    models: { find: (id) => catalog.find((m) => m.id === id), fallbackFileStore: 'openai' },
    fileStores: (id) => {
      const provider = providers.get(id);
      if (!provider) throw new Error(`no ${id} provider in this test`);
      return provider;
    },
    metrics: new InMemoryMetrics(),
    gate: createUploadGate({ max: full.maxConcurrentUploads, maxPerUser: full.maxConcurrentUploadsPerUser }),
    sleep: async () => {},
    storageDir,
  };
}

export async function makeChat(user: TestUser, modelId = 'gpt-test'): Promise<string> {
  const db = await getDb();
  const [chat] = await db
    .insert(chats)
    .values({ tenantId: user.caller.tenantId, userId: user.caller.userId, model: modelId, title: 'files' })
    .returning();
  return (chat as { id: string }).id;
}

async function* chunked(bytes: Buffer, size: number, pause?: Promise<void>): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (offset > 0 && pause) await pause;
    yield bytes.subarray(offset, offset + size);
  }
}

/**
 * An upload as the route hands it over. `hint` is the request's Content-Length: by default the
 * file's size plus a little multipart framing; null for a chunked request.
 */
export function fileInput(
  content: Buffer | string,
  options: {
    filename?: string;
    type?: string;
    hint?: number | null;
    chunkSize?: number;
    /** Held before the second chunk, to keep the upload in flight. */
    pause?: Promise<void>;
    signal?: AbortSignal;
  } = {},
): UploadInput {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return {
    sizeHint: options.hint === undefined ? bytes.length + 200 : options.hint,
    signal: options.signal,
    openFile: async () => ({
      filename: options.filename ?? 'notes.txt',
      contentType: options.type ?? 'text/plain',
      body: chunked(bytes, options.chunkSize ?? 16 * 1024, options.pause),
    }),
  };
}

/** One fake OpenAI server for a test file, emptied before each test. */
export function fakeOpenAIForFile(): () => FakeOpenAI {
  let fake: FakeOpenAI | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake?.close());
  beforeEach(() => fake?.reset());
  return () => {
    if (!fake) throw new Error('the fake OpenAI server is not running');
    return fake;
  };
}
