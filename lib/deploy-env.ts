import vercelConfig from '../vercel.json' with { type: 'json' };
import type { Env } from './env';

/*
 * What a deployment must configure for itself, checked before anything is served. Plain and free
 * of `server-only`, because next.config.ts runs it at build time too: a Vercel build with a
 * missing variable fails there, with the same list, instead of a first request failing later.
 */

const set = (env: Env, name: string) => Boolean(env[name]?.trim());

/** Vercel sets `VERCEL=1` in its builds and functions; `--deploy` (vercel-build) asks for the same rules. */
export const onVercel = (env: Env) => set(env, 'VERCEL');

/** The crons vercel.json schedules; each route needs `CRON_SECRET`, which Vercel sends with every call. */
export const scheduledCrons = (): readonly { path: string; schedule: string }[] => vercelConfig.crons ?? [];

/**
 * A file store whose files outlive the function that wrote them. The `local` store writes to the
 * function's disk, which Vercel throws away: only a provider (OpenAI, Azure) or S3 keeps files.
 */
export function durableFileStores(env: Env): string[] {
  const stores: string[] = [];
  if (set(env, 'OPENAI_API_KEY')) stores.push('openai');
  if (set(env, 'AZURE_OPENAI_ENDPOINT') && set(env, 'AZURE_OPENAI_API_KEY')) stores.push('azure');
  if (env.FILE_STORE?.trim() === 's3' && set(env, 'S3_BUCKET')) stores.push('s3');
  return stores;
}

export const NO_DURABLE_STORE =
  'No durable file store: files written to a Vercel function’s disk disappear with it. ' +
  'Set OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY), or FILE_STORE=s3 with S3_BUCKET.';

/**
 * What is missing or inconsistent for a deployment, one sentence each, each naming what to set.
 * Off Vercel (and without `deploy`) the local defaults are real choices: the embedded database, a
 * generated secret, files on the machine's own disk; only inconsistencies count there.
 */
export function deployProblems(env: Env, options: { deploy?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (env.FILE_STORE?.trim() === 's3' && !set(env, 'S3_BUCKET')) {
    problems.push('FILE_STORE=s3 needs S3_BUCKET (the bucket the files are kept in).');
  }
  if (set(env, 'AZURE_OPENAI_ENDPOINT') !== set(env, 'AZURE_OPENAI_API_KEY')) {
    problems.push('AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY go together: set both, or neither.');
  }
  if (!options.deploy && !onVercel(env)) return problems;

  if (!set(env, 'AUTH_SECRET')) {
    problems.push(
      'AUTH_SECRET is not set: it signs the session cookies, and a function cannot keep a generated one ' +
        '(make one with: openssl rand -base64 32).',
    );
  }
  if (!set(env, 'DATABASE_URL')) {
    problems.push(
      'DATABASE_URL is not set: the embedded database would live on the function’s disk and be lost. ' +
        'Set it to your PostgreSQL (Neon: the pooled connection string).',
    );
  } else if (env.DATABASE_DRIVER?.trim().toLowerCase() === 'pglite') {
    problems.push('DATABASE_DRIVER=pglite keeps the database on the function’s disk: remove it on Vercel.');
  }
  if (durableFileStores(env).length === 0) problems.push(NO_DURABLE_STORE);
  const crons = scheduledCrons();
  if (crons.length > 0 && !set(env, 'CRON_SECRET')) {
    problems.push(
      `CRON_SECRET is not set: vercel.json schedules ${crons.map((c) => c.path).join(' and ')}, ` +
        'which answer 404 without it (any long random string; Vercel sends it with each call).',
    );
  }
  return problems;
}

/** Start-up refused: everything that is wrong, in one message, one line each. */
export class EnvironmentError extends Error {
  constructor(
    readonly processName: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Mini-chat (${processName}) cannot start; fix the environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'EnvironmentError';
  }
}

export function assertDeployEnv(processName: string, env: Env, options: { deploy?: boolean } = {}): void {
  const problems = deployProblems(env, options);
  if (problems.length) throw new EnvironmentError(processName, problems);
}
