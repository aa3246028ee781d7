import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import { processSingleton } from '@/lib/process-singleton';

/**
 * Structured JSON logs on stdout. Whatever runs inside `withLogContext` (an API request, a worker
 * job) carries that context's ids on every line without passing a logger around.
 */
export type LogContext = { request_id?: string; job_id?: string; job_kind?: string };

// The logger and its context are process singletons of their own rather than parts of the
// composition root (lib/runtime.ts): every module logs, the database and file stores the root
// builds included, so they must exist before the root does. One per process: every bundled copy
// of this module must read the context the same logger's mixin reads, and write one stream.
const context = processSingleton('log-context', () => new AsyncLocalStorage<LogContext>());

export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/**
 * Field names that hold credentials wherever they appear (two levels deep covers
 * `headers.authorization` and `err.config.apiKey`). Pino replaces their values before writing.
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'token',
  'password',
  'secret',
  'apiKey',
  'api_key',
  'api-key',
  'accessToken',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`, `*.*["${key}"]`]);

/**
 * Free text (a provider's error message, a stack) can hold a credential too: bearer tokens,
 * `sk-…` keys, JWTs and our own `mct_…` API tokens are masked wherever they occur.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer [Redacted]'],
  [/\b(sk-|mct_)[\w-]{8,}/g, '$1[Redacted]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[Redacted JWT]'],
];

export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** An error's message for a database column an operator reads: masked and bounded. */
export function errorText(err: unknown, max = 500): string {
  return maskSecrets(err instanceof Error ? err.message : String(err)).slice(0, max);
}

/** An error as a log field: its name, code, status and masked message, never a request or body it holds. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: maskSecrets(String(err)) };
  const { code, status } = err as { code?: unknown; status?: unknown };
  return {
    name: err.name,
    message: maskSecrets(err.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(err.stack ? { stack: maskSecrets(err.stack) } : {}),
    ...(err.cause !== undefined ? { cause: errorFields(err.cause) } : {}),
  };
}

export function createLogger(
  options: { level?: string } = {},
  // Operator commands set LOG_STREAM=stderr, so that their stdout carries only their report.
  destination: DestinationStream = pino.destination({
    fd: process.env.LOG_STREAM === 'stderr' ? 2 : 1,
    sync: false,
  }),
): Logger {
  return pino(
    {
      level: options.level ?? defaultLevel(),
      base: { service: 'mini-chat' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // A raw Error under `err` is reduced like errorFields() does; already reduced ones pass.
      serializers: { err: (value: unknown) => (value instanceof Error ? errorFields(value) : value) },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      mixin: () => context.getStore() ?? {},
    },
    destination,
  );
}

/** `LOG_LEVEL` wins; tests are quiet unless asked, so their output stays their own. */
function defaultLevel(): string {
  return process.env.LOG_LEVEL?.trim() || (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
}

export const log: Logger = processSingleton('logger', () => createLogger());
