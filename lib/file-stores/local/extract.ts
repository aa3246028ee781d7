import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '@/lib/log';
import { type ExtractionLimits, loadExtractionLimits } from './extract-config';
import type { Chunk, IndexOutcome } from './index-store';
import {
  documentKind,
  type ExtractionEnd,
  type ExtractionRequest,
  MAX_PDF_PAGES,
} from './sandbox/protocol.mjs';

/**
 * Text extraction for the local index never runs in the web process: parsing a hostile PDF or a
 * ZIP bomb there would take its memory and block its event loop for every user. Each document is
 * read by its own `node` process (./sandbox/worker.mjs), not a worker thread, because a thread's
 * `resourceLimits` bound only the V8 heap while the inflated buffers are ArrayBuffers outside it,
 * all in the one process's RSS. The process gets a V8 heap cap and none of our secrets, and is
 * killed when its resident memory or its time runs out or it writes more than the text limit
 * allows; the bytes it inflates and the text it produces it caps itself.
 */

const RSS_POLL_MS = 100;
const STDERR_KEPT = 2048;
// V8's words when it ends a process at the heap limit.
const HEAP_LIMIT = /heap out of memory|Reached heap limit/;

/**
 * The passages of a stored file, or why there are none. The failure codes are what the local
 * index's `last_error` shows: short, and free of the file's contents.
 */
export async function passages(file: string, limits = processLimits()): Promise<IndexOutcome> {
  const kind = documentKind(file);
  if (!kind) return { error: 'unsupported_file' };
  const release = await takeTurn(limits.maxConcurrent);
  try {
    return await runSandbox(
      {
        file: path.resolve(file),
        kind,
        maxUnpackedBytes: limits.maxUnpackedBytes,
        maxTextBytes: limits.maxTextBytes,
        timeoutMs: limits.timeoutMs,
      },
      limits,
    );
  } finally {
    release();
  }
}

type KillReason = 'timeout' | 'memory' | 'output' | 'protocol';

function runSandbox(request: ExtractionRequest, limits: ExtractionLimits): Promise<IndexOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.maxMemoryMb}`, workerPath()], {
      // None of the server's variables (keys, database URL): only the one libraries read for their mode.
      env: { NODE_ENV: process.env.NODE_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Chunk[] = [];
    let end: ExtractionEnd | undefined;
    let killed: KillReason | undefined;
    let pending = '';
    let output = 0;
    let stderr = '';
    // Passages overlap and JSON escapes some characters: room for that, and no more.
    const maxOutput = limits.maxTextBytes * 3 + 1024 * 1024;

    const kill = (reason: KillReason) => {
      // Once it has exited on its own, its outcome stands (and its pid may be another's).
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      killed = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), limits.timeoutMs);
    const watchdog = setInterval(() => {
      residentMb(child.pid).then((mb) => {
        if (mb !== undefined && mb > limits.maxMemoryMb) kill('memory');
      });
    }, RSS_POLL_MS);

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      output += data.length;
      if (output > maxOutput) return kill('output');
      const lines = (pending + data).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const value = parseLine(line);
        if (!value) return kill('protocol');
        if ('content' in value) chunks.push(value);
        else end = value;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (data: string) => {
      stderr = (stderr + data).slice(-STDERR_KEPT);
    });
    // The sandbox may be gone before it has read its request.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(request));

    let settled = false;
    const settle = (outcome: IndexOutcome, exit: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      if ('error' in outcome) {
        log.warn(
          { file: path.basename(request.file), kind: request.kind, error: outcome.error, ...exit },
          'document text extraction failed',
        );
      }
      resolve(outcome);
    };
    child.on('error', (err) => settle({ error: 'extraction_failed' }, { spawn_error: err.message }));
    child.on('close', (code, signal) => {
      const exit = { exit_code: code, signal, killed, stderr: stderr.trim() || undefined };
      if (killed === 'protocol') return settle({ error: 'extraction_failed' }, exit);
      if (killed || (!end && HEAP_LIMIT.test(stderr))) return settle({ error: 'document_too_complex' }, exit);
      if (!end || code !== 0) return settle({ error: 'extraction_failed' }, exit);
      if ('error' in end) return settle({ error: end.error }, exit);
      settle(chunks.length > 0 ? { chunks } : { error: 'no_text' }, exit);
    });
  });
}

/**
 * A passage, the answer's end, or undefined for anything else: what the sandbox writes is read
 * as untrusted as the file it parsed.
 */
function parseLine(line: string): Chunk | ExtractionEnd | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value === 'string') return { content: value };
  if (typeof value !== 'object' || value === null) return undefined;
  if ('text' in value && typeof value.text === 'string') {
    const page = 'page' in value ? value.page : undefined;
    return typeof page === 'number' && Number.isInteger(page) && page > 0 && page <= MAX_PDF_PAGES
      ? { content: value.text, page }
      : undefined;
  }
  if ('done' in value && value.done === true) return { done: true };
  if ('error' in value && (value.error === 'document_too_complex' || value.error === 'extraction_failed')) {
    return { error: value.error };
  }
  return undefined;
}

/** A process's resident set in MiB, from Linux's /proc; undefined elsewhere or once it is gone. */
async function residentMb(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// On globalThis: Next bundles this module more than once (each route, instrumentation), and the
// cap on sandboxes is the process's, not each copy's.
interface Turns {
  running: number;
  waiting: (() => void)[];
}
const globals = globalThis as { __miniChatExtractionTurns?: Turns };

/** Waits until fewer than `max` sandboxes run in this process; the returned function ends the turn. */
async function takeTurn(max: number): Promise<() => void> {
  globals.__miniChatExtractionTurns ??= { running: 0, waiting: [] };
  const turns = globals.__miniChatExtractionTurns;
  if (turns.running < max) turns.running++;
  else await new Promise<void>((resolve) => turns.waiting.push(resolve));
  // A finished turn passes straight to the next in line, so `running` never dips under a queue.
  return () => {
    const next = turns.waiting.shift();
    if (next) next();
    else turns.running--;
  };
}

let configured: ExtractionLimits | undefined;
const processLimits = () => {
  configured ??= loadExtractionLimits();
  return configured;
};

const WORKER = path.join('lib', 'file-stores', 'local', 'sandbox', 'worker.mjs');
let worker: string | undefined;

/**
 * The sandbox's entry is a plain file that `node` runs as it is, never bundled. It is found by
 * walking up from the working directory (the project root under `next start`, the scripts and
 * the tests; on Vercel next.config.ts traces it into the function) and from this module's own
 * location (under .next/ once bundled, or lib/ under tsx), so a server started from elsewhere
 * finds it too.
 */
function workerPath(): string {
  if (worker) return worker;
  for (const start of [process.cwd(), path.dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, WORKER))) {
        worker = path.join(dir, WORKER);
        return worker;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`the extraction sandbox (${WORKER}) was not found`);
}
