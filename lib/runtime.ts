import 'server-only';
import type { SettingsDeps } from '@/lib/admin/settings';
import { loadAttachmentConfig } from '@/lib/attachments/config';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { createUploadGate } from '@/lib/attachments/upload-gate';
import { type AuthConfig, loadAuthConfig } from '@/lib/auth/config';
import type { ModelChoiceDeps } from '@/lib/chats/models';
import { startWorkerLoop, type WorkerLoop } from '@/lib/cleanup/loop';
import { type WorkerDeps, withHandlers } from '@/lib/cleanup/worker';
import type { Db } from '@/lib/db';
import { type Database, openDatabase, resolveDatabaseConfig } from '@/lib/db/client';
import { deployProblems, EnvironmentError } from '@/lib/deploy-env';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { createFileStoreRegistry } from '@/lib/file-stores/registry';
import { loadS3Config } from '@/lib/file-stores/s3';
import { createChatModelRegistry } from '@/lib/llm/registry';
import { errorFields, log } from '@/lib/log';
import { PromMetrics } from '@/lib/metrics';
import { createModelCatalog, type ModelCatalog } from '@/lib/models/catalog';
import { fallbackFileStore } from '@/lib/models/file-store';
import { loadWorkerConfig } from '@/lib/outbox/config';
import { processSingleton } from '@/lib/process-singleton';
import { loadRateLimits, type RateLimits } from '@/lib/rate-limits/config';
import { loadStreamSettings } from '@/lib/turns/config';
import { MAX_IMAGES_PER_MESSAGE } from '@/lib/turns/limits';
import type { TurnDeps } from '@/lib/turns/service';

/**
 * The composition root: the one place this process's dependencies are built from the environment,
 * each once, on first use. Route handlers, server components, instrumentation.ts and the operator
 * commands take what they need through the selectors below; services never import this module,
 * they are handed their dependencies (so tests hand them others).
 *
 * The whole is one process singleton (see lib/process-singleton.ts): Next bundles the routes and
 * instrumentation separately and dev-mode reloads evaluate modules again, yet the process must
 * keep one database, one metrics registry, one upload gate and one worker. Each part is built on
 * first use; a build that throws is tried again by the next caller. Every process checks the whole
 * environment once at start (`assertEnvironment`), so a bad setting is reported there, with all
 * the others, rather than by the first request that needs it.
 *
 * The logger, the log context, the worker's wake-up listeners and the registry of this process's
 * streams are process singletons of their own: services reach them directly, and every module
 * logs, this one's dependencies included.
 */
function buildRuntime() {
  const env = process.env;
  const attachmentConfig = once(() => loadAttachmentConfig(env));
  return {
    /** Opened on first use; `closeDatabase()` closes it and lets the next caller open it again. */
    database: undefined as Promise<Database> | undefined,
    /** The in-process worker, once started. */
    worker: undefined as Promise<WorkerLoop | undefined> | undefined,
    metrics: once(() => new PromMetrics({ processMetrics: true })),
    attachmentConfig,
    workerConfig: once(() => loadWorkerConfig(env)),
    streamSettings: once(() => loadStreamSettings(env)),
    models: once(() => createModelCatalog(env)),
    authConfig: once(() => loadAuthConfig(env)),
    rateLimits: once(() => loadRateLimits(env)),
    chatModels: once(() => createChatModelRegistry(env)),
    /** One registry for uploads, answers and cleanup: each provider's client is built once. */
    fileStores: once(() =>
      createFileStoreRegistry({ env, db: getDb, storageDir: attachmentConfig().fileStorageDir }),
    ),
    uploadGate: once(() =>
      createUploadGate({
        max: attachmentConfig().maxConcurrentUploads,
        maxPerUser: attachmentConfig().maxConcurrentUploadsPerUser,
      }),
    ),
  };
}

function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

const runtime = () => processSingleton('runtime', buildRuntime);

/**
 * The process-wide database. The embedded PGlite database migrates itself on open (there is no
 * separate server to prepare); Postgres and Neon are migrated by `npm run db:migrate`.
 */
export async function getDb(): Promise<Db> {
  const rt = runtime();
  rt.database ??= (async () => {
    const database = await openDatabase(resolveDatabaseConfig());
    if (database.driver === 'pglite') await database.migrate();
    return database;
  })().catch((err) => {
    // A cached rejection would fail every later request; let the next caller try again.
    rt.database = undefined;
    throw err;
  });
  return (await rt.database).db;
}

export async function closeDatabase(): Promise<void> {
  const rt = runtime();
  const database = rt.database;
  rt.database = undefined;
  if (database) await (await database).close();
}

/**
 * Reads every configuration this process may need and refuses to start with one list of all that
 * is missing or inconsistent: the deployment's own rules (lib/deploy-env.ts), then each
 * configuration's bad variables. `deploy` applies Vercel's rules off Vercel (vercel-build).
 */
export function assertEnvironment(processName: string, options: { deploy?: boolean } = {}): void {
  const env = process.env;
  const rt = runtime();
  const problems = deployProblems(env, options);
  const configurations = [
    () => resolveDatabaseConfig(env),
    rt.attachmentConfig,
    rt.workerConfig,
    rt.streamSettings,
    rt.models,
    rt.authConfig,
    rt.rateLimits,
    () => loadS3Config(env),
  ];
  for (const load of configurations) {
    try {
      load();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (problems.length) throw new EnvironmentError(processName, problems);
}

/**
 * For a server process's start (instrumentation.ts): with a bad environment, the list goes to
 * stderr as plain text and the process exits, rather than serving requests that would each fail.
 */
export function exitUnlessEnvironmentIsComplete(processName: string): void {
  try {
    assertEnvironment(processName);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

/** The process's metrics, which `GET /api/metrics` exports. */
export const processMetrics = (): PromMetrics => runtime().metrics();

/** Sign-in and sign-up throttles and the sign-up mode. */
export const authConfig = (): AuthConfig => runtime().authConfig();

/** The models chats are created with: `GET /api/models`, a new chat, the chat page. */
export const modelCatalog = (): ModelCatalog => runtime().models();

/** What one user may create a minute or an hour: chats, messages, API tokens. */
export const rateLimits = (): RateLimits => runtime().rateLimits();

/** What a chat's model may be switched to: `PATCH /api/chats/{id}`, `GET /api/chats/{id}/models`. */
export const modelChoice = (): ModelChoiceDeps => ({
  catalog: modelCatalog(),
  fallbackFileStore: fallbackFileStore(process.env),
});

/** The attachment service's dependencies. */
export async function attachmentDeps(): Promise<AttachmentDeps> {
  const rt = runtime();
  const db = await getDb();
  return {
    db,
    config: rt.attachmentConfig(),
    models: {
      find: rt.models().findEntry,
      fallbackFileStore: fallbackFileStore(process.env),
    },
    fileStores: rt.fileStores(),
    metrics: rt.metrics(),
    gate: rt.uploadGate(),
  };
}

/** The tenant settings' dependencies: the deployment's ceilings and models. */
export async function settingsDeps(): Promise<SettingsDeps> {
  const rt = runtime();
  return { db: await getDb(), config: rt.attachmentConfig(), models: rt.models() };
}

/** The turn service's dependencies. */
export async function turnDeps(): Promise<TurnDeps> {
  const rt = runtime();
  const db = await getDb();
  return {
    db,
    // The attachment service's file stores: a turn searches where the uploads went.
    fileStores: rt.fileStores(),
    models: { find: rt.models().findModel },
    chatModel: rt.chatModels(),
    metrics: rt.metrics(),
    streams: rt.streamSettings(),
    rateLimits: rt.rateLimits(),
    settings: {
      recentMessages: 10,
      fileSearchMaxResults: 8,
      localPassages: 4,
      maxImagesPerMessage: MAX_IMAGES_PER_MESSAGE,
    },
  };
}

/** The worker's dependencies: the real clock, and the database and file stores of the services. */
export async function workerDeps(): Promise<WorkerDeps> {
  return workerDepsOver(await getDb(), runtime().fileStores());
}

/**
 * For an operator command, which opens its own database (scripts/cli.ts) rather than the
 * process's: file stores of its own over that database, the rest from this process.
 */
export function standaloneWorkerDeps(db: Db): WorkerDeps {
  const storageDir = runtime().attachmentConfig().fileStorageDir;
  return workerDepsOver(db, createFileStoreRegistry({ env: process.env, db: async () => db, storageDir }));
}

function workerDepsOver(db: Db, fileStores: (id: FileStoreId) => FileStore): WorkerDeps {
  const rt = runtime();
  return withHandlers({ db, fileStores, metrics: rt.metrics(), config: rt.workerConfig(), clock: Date.now });
}

/** Stops this process's worker, if it runs: no more claims, and the jobs in hand finished. */
export async function stopInProcessWorker(): Promise<void> {
  const worker = await runtime().worker;
  await worker?.stop();
}

/**
 * Starts this process's worker once: dev-mode reloads and a second `register()` find it running.
 * Left off where the platform has no long-lived process (Vercel: the cron route drains instead).
 */
export function startInProcessWorker(): Promise<WorkerLoop | undefined> {
  const rt = runtime();
  rt.worker ??= workerDeps().then(
    (deps) => {
      log.info({ poll_ms: deps.config.pollMs }, 'in-process worker started');
      return startWorkerLoop(deps);
    },
    (err: unknown) => {
      log.error({ err: errorFields(err) }, 'in-process worker could not start');
      rt.worker = undefined;
      return undefined;
    },
  );
  return rt.worker;
}
