import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '@/lib/db/client';
import { closeDatabase } from '@/lib/runtime';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai';
import { makeUser, type TestUser } from './fixtures';
import { createDatabase, dropDatabase } from './postgres';

/**
 * A production build served by `next start` in a process of its own, on PostgreSQL and the real
 * local file store, for the tests that kill or stop the server (tests/crash). Each test file gets
 * its own database and storage folder, and ports outside the browser tests' (3100/3199).
 */
export interface AppProcess {
  origin: string;
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far. */
  output: () => string;
}

export async function startApp(port: number, env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port)], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_MANUAL_SIG_HANDLE: 'true',
      AUTH_SECRET: 'crash-suite-secret-not-for-production-use-0000',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: AppProcess = { origin: `http://127.0.0.1:${port}`, child, exited, output: () => printed };
  const deadline = Date.now() + 90_000;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline && !gone) {
    const status = await fetch(`${app.origin}/api/models`).then(
      (r) => r.status,
      () => 0,
    );
    if (status > 0) return app;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`next start did not come up on ${port}:\n${printed.slice(-4000)}`);
}

/** A migrated PostgreSQL database of the test file's own, and a storage folder. */
export async function appDatabase(): Promise<{
  url: string;
  database: Database;
  storageDir: string;
  drop: () => Promise<void>;
}> {
  const { name, url } = await createDatabase('minichat_crash');
  const database = await openDatabase({ driver: 'pg', url });
  await database.migrate();
  const storageDir = mkdtempSync(path.join(tmpdir(), 'minichat-crash-files-'));
  return {
    url,
    database,
    storageDir,
    drop: async () => {
      await database.close();
      await dropDatabase(name);
    },
  };
}

/**
 * A multipart upload whose body is sent by hand: `send` more bytes, `end` it. The answer settles
 * `response` (a connection the server cut settles it with status 0).
 */
export function openUpload(app: AppProcess, chatId: string, token: string, filename = 'big.txt') {
  const boundary = 'crash-suite-boundary';
  const req = request(`${app.origin}/api/chats/${chatId}/attachments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  return {
    response,
    send: (bytes: number) =>
      req.write('lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27)).slice(0, bytes)),
    end: () => req.end(`\r\n--${boundary}--\r\n`),
  };
}

/** Reads a turn's event stream, handing each delta to `onDelta`, until it ends or breaks. */
export async function readTurn(response: Response, onDelta: (text: string) => void): Promise<string[]> {
  const events: string[] = [];
  const reader = response.body?.getReader();
  if (!reader) return events;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!event) continue;
        events.push(event);
        if (event === 'delta' && data) onDelta((JSON.parse(data) as { content: string }).content);
      }
    }
  } catch {
    // The connection was cut: what arrived is what the stream left.
  }
  return events;
}

export interface ServerTestBed {
  env: Awaited<ReturnType<typeof appDatabase>>;
  fake: FakeOpenAI;
  user: TestUser;
  /** The server started last. */
  app: AppProcess | undefined;
  /** Starts `next start` on the bed's port, database, folder and fake OpenAI server. */
  start(extra?: Record<string, string>): Promise<AppProcess>;
  /** A JSON request as the user to the server started last; a refused connection answers 599. */
  api(path: string, init?: RequestInit): Promise<Response>;
  newChat(model?: string): Promise<string>;
  /** Polls `read` until it gives a value; fails with the server's last words. */
  until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
}

/**
 * What a test file against `next start` needs: a database, a storage folder, a fake OpenAI
 * server (OpenAI models, and `llama-crash` over Chat Completions on the local index, the
 * default), a user with an API token; the server is killed and everything dropped afterwards.
 */
export function serverTestBed(port: number): ServerTestBed {
  const bed = { app: undefined } as ServerTestBed;
  beforeAll(async () => {
    bed.env = await appDatabase();
    process.env.DATABASE_URL = bed.env.url;
    bed.fake = await startFakeOpenAI();
    bed.user = await makeUser();
  });
  afterAll(async () => {
    bed.app?.child.kill('SIGKILL');
    await bed.fake?.close();
    await closeDatabase();
    await bed.env?.drop();
  });
  bed.start = async (extra = {}) => {
    bed.app = await startApp(port, {
      DATABASE_URL: bed.env.url,
      FILE_STORAGE_DIR: bed.env.storageDir,
      OPENAI_API_KEY: 'crash-test-key',
      OPENAI_BASE_URL: bed.fake.url,
      OPENAI_COMPATIBLE_MODEL: 'llama-crash',
      OPENAI_COMPATIBLE_BASE_URL: bed.fake.url,
      DEFAULT_MODEL: 'llama-crash',
      WORKER_POLL_SECONDS: '1',
      ...extra,
    });
    return bed.app;
  };
  bed.api = (path, init = {}) =>
    fetch(`${bed.app?.origin}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${bed.user.token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    }).catch(() => new Response(null, { status: 599 }));
  bed.newChat = async (model) => {
    const response = await bed.api('/api/chats', {
      method: 'POST',
      body: JSON.stringify({ title: 'crash', model }),
    });
    if (response.status !== 201) throw new Error(`creating a chat answered ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  };
  bed.until = async (read, what, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}\n${bed.app?.output().slice(-3000)}`);
  };
  return bed;
}
