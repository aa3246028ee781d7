// The stack every benchmark runs against: the fake OpenAI server and the production server
// (`next start`, so run `npm run build` first) on a fresh PGlite folder or, with a Postgres URL,
// on a database created for the run and dropped afterwards; a user and an API token.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

/** Starts a child process and resolves once its output matches `ready`. */
export function start(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    const check = (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) resolve(child);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${seen}`)));
  });
}

/** A database of the bench's own on the given server, dropped when the bench ends. */
export async function createDatabase(adminUrl: string, prefix: string) {
  const { default: pg } = await import('pg');
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Stack {
  app: ChildProcess;
  /** The fake OpenAI server's process. */
  fake: ChildProcess;
  appPort: number;
  fakeOrigin: string;
  token: string;
  database: 'PGlite' | 'PostgreSQL';
  /** POSTs JSON to the app with the bench user's token. */
  post(pathname: string, body: unknown): Promise<Response>;
}

export async function startStack(options: {
  name: string;
  fakePort: number;
  appPort: number;
  postgres?: string;
  env?: Record<string, string>;
}): Promise<Stack> {
  const work = mkdtempSync(path.join(tmpdir(), `${options.name}-`));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const fake = await start(
    'node',
    ['--import', 'tsx', 'tests/support/fake-openai/main.ts', '--port', String(options.fakePort)],
    {},
    /listening/,
  );
  const fakeOrigin = `http://127.0.0.1:${options.fakePort}`;
  const databaseUrl = options.postgres
    ? await createDatabase(options.postgres, options.name.replace(/\W/g, '_'))
    : undefined;
  const env = {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    PGLITE_DIR: path.join(work, 'pglite'),
    FILE_STORAGE_DIR: path.join(work, 'files'),
    AUTH_SECRET: 'bench-only-secret-000000000000000000',
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${fakeOrigin}/v1`,
    NODE_ENV: 'production' as const,
    ...options.env,
  };
  const cli = (script: string, args: string[]) =>
    execFileSync('npx', ['tsx', '--tsconfig', 'scripts/tsconfig.json', script, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }).trim();
  if (databaseUrl) cli('scripts/migrate.ts', []);
  cli('scripts/user-create.ts', [
    '--email',
    'bench@example.test',
    '--password',
    'bench-password',
    '--tenant',
    'bench',
  ]);
  const token = cli('scripts/token-create.ts', ['--email', 'bench@example.test']);
  const app = await start(
    'node',
    ['node_modules/next/dist/bin/next', 'start', '-p', String(options.appPort)],
    env,
    /Ready/,
  );
  return {
    app,
    fake,
    appPort: options.appPort,
    fakeOrigin,
    token,
    database: databaseUrl ? 'PostgreSQL' : 'PGlite',
    post: (pathname, body) =>
      fetch(`http://127.0.0.1:${options.appPort}${pathname}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

export const median = (xs: number[]) => percentile(xs, 50);

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Runs the bench, then stops every child and drops what it created, whatever happened. */
export function run(main: () => Promise<void>) {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGTERM');
  });
  main()
    .then(
      () => 0,
      (err) => {
        console.error(err);
        return 1;
      },
    )
    .then(async (code) => {
      await Promise.all(children.map(stop));
      for (const cleanup of cleanups) await cleanup().catch((err) => console.error(err));
      process.exit(code);
    });
}

/**
 * SIGTERM, then SIGKILL if the child is still there after 15 s: now and then `next start` drains,
 * closes its port and then never finishes exiting (its main thread waits on a futex), and would
 * outlive the bench.
 */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const rssKiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** CPU time (user + system, every thread) a process has used so far, in ms; 10 ms resolution. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of proc(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Streams a multipart upload of `size` bytes of text; resolves with the status and seconds taken. */
export function uploadMultipart(
  port: number,
  pathname: string,
  size: number,
  token?: string,
): Promise<{ status: number; seconds: number; body: string }> {
  const boundary = `bench${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const line = Buffer.alloc(64 * 1024, 'lorem ipsum dolor sit amet, consectetur adipiscing elit\n');
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathname,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + size + tail.length,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          body,
        }),
      );
    });
    req.on('error', reject);
    let sent = 0;
    req.write(head);
    const pump = () => {
      while (sent < size) {
        const piece = line.subarray(0, Math.min(line.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

/** Connections kept open between requests, as a browser keeps them. */
const keepAlive = new http.Agent({ keepAlive: true });

/**
 * One request through node:http, the client `uploadMultipart` uses too, so that both upload paths
 * are measured with the same client (undici's fetch costs the bench process several times more CPU
 * per byte, and on a small machine that CPU is the server's).
 */
export function request(
  port: number,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathname,
      method,
      agent: keepAlive,
      headers: { ...headers, 'content-length': String(body?.byteLength ?? 0) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
