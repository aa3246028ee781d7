import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';
import { errorFields, log } from '@/lib/log';
import { acquireFolderLock } from './pglite-lock';
import * as schema from './schema';

export type Schema = typeof schema;
/** The one database type every query is written against, whichever of the three drivers is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Code that may run inside or outside a transaction takes this. */
export type Queryable = Db | Tx;

const drivers = ['pglite', 'pg', 'neon'] as const;
export type Driver = (typeof drivers)[number];

export interface DatabaseConfig {
  driver: Driver;
  /** Postgres connection string (pg and neon). */
  url?: string;
  /** PGlite data folder, or `memory://` for a throwaway in-memory database. */
  pgliteDir?: string;
  /** host:port of a WebSocket-to-TCP proxy for the Neon driver (local tests). */
  neonWsProxy?: string;
  /** Connections per process (pg and neon); 10 when unset. */
  poolMax?: number;
}

export interface Database {
  db: Db;
  driver: Driver;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');
export const DEFAULT_PGLITE_DIR = '.data/pglite';

const envSchema = z
  .object({
    DATABASE_URL: z.string().optional(),
    DATABASE_DRIVER: z
      .string()
      .toLowerCase()
      .pipe(z.enum(drivers, { error: (i) => `must be pglite, pg or neon (got "${String(i.input)}")` }))
      .optional(),
    PGLITE_DIR: z.string().default(DEFAULT_PGLITE_DIR),
    NEON_WS_PROXY: z.string().optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().positive().optional(),
  })
  .superRefine((e, ctx) => {
    // The URL matters only to the drivers that use it.
    if (e.DATABASE_DRIVER === 'pglite' || (!e.DATABASE_DRIVER && !e.DATABASE_URL)) return;
    if (!e.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_DRIVER'],
        message: `${e.DATABASE_DRIVER} needs DATABASE_URL`,
      });
    } else if (!URL.canParse(e.DATABASE_URL)) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'not a valid postgres:// URL' });
    }
  });

/**
 * The database migrations run against: `DATABASE_URL_UNPOOLED` when set (Neon's Vercel
 * integration sets it beside the pooled `DATABASE_URL`), because a transaction-mode pooler does
 * not keep a session's locks and settings between statements; else the same as the app's.
 */
export function migrationDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const direct = env.DATABASE_URL_UNPOOLED?.trim();
  return resolveDatabaseConfig(direct ? { ...env, DATABASE_URL: direct } : env);
}

/** The single place the driver is chosen from the environment. */
export function resolveDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const e = loadEnv(envSchema, 'database', env);
  const url = e.DATABASE_URL;
  if (e.DATABASE_DRIVER === 'pglite' || !url) return { driver: 'pglite', pgliteDir: e.PGLITE_DIR };
  const host = new URL(url).hostname;
  const neonHost = host === 'neon.tech' || host.endsWith('.neon.tech');
  const driver = e.DATABASE_DRIVER ?? (neonHost ? 'neon' : 'pg');
  return { driver, url, neonWsProxy: e.NEON_WS_PROXY, poolMax: e.DATABASE_POOL_MAX };
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  switch (config.driver) {
    case 'pglite':
      return openPglite(config.pgliteDir ?? DEFAULT_PGLITE_DIR);
    case 'pg':
      return openNodePostgres(config.url as string, config.poolMax ?? 10);
    case 'neon':
      return openNeon(config.url as string, config.poolMax ?? 10, config.neonWsProxy);
  }
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  // The local index's full-text index has the store's id as a key (migration 0006).
  const { btree_gin } = await import('@electric-sql/pglite/contrib/btree_gin');
  // The admin inventory's filename-contains search (migration 0010).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const inMemory = dir.startsWith('memory://');
  let release = () => {};
  if (!inMemory) {
    mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
    release = acquireFolderLock(path.resolve(dir));
  }
  try {
    const client = await PGlite.create(inMemory ? dir : path.resolve(dir), {
      extensions: { btree_gin, pg_trgm },
    });
    const db = drizzle({ client, schema }) as unknown as Db;
    return {
      db,
      driver: 'pglite',
      migrate: async () => {
        await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      },
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** The pg and Neon pools share one shape: a drizzle instance over a pool, its migrator, and end(). */
function pooled(
  driver: 'pg' | 'neon',
  pool: { on(event: 'error', listener: (err: Error) => void): unknown; end(): Promise<void> },
  db: Db,
  migrate: (db: never, options: { migrationsFolder: string }) => Promise<void>,
): Database {
  // An idle client losing its connection must not take the process down with it.
  pool.on('error', (err) => log.error({ driver, err: errorFields(err) }, 'idle database client failed'));
  return {
    db,
    driver,
    migrate: () => migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pool.end(),
  };
}

async function openNodePostgres(url: string, max: number): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new pg.Pool({ connectionString: url, max });
  return pooled('pg', pool, drizzle({ client: pool, schema }) as unknown as Db, migrate);
}

async function openNeon(url: string, max: number, wsProxy?: string): Promise<Database> {
  const { Pool, neonConfig } = await import('@neondatabase/serverless');
  const { drizzle } = await import('drizzle-orm/neon-serverless');
  const { migrate } = await import('drizzle-orm/neon-serverless/migrator');
  if (typeof globalThis.WebSocket === 'undefined') {
    // Node 20 has no global WebSocket.
    const { default: ws } = await import('ws');
    neonConfig.webSocketConstructor = ws;
  }
  if (wsProxy) {
    // A local proxy speaks plain ws:// and cannot take Neon's pipelined startup.
    neonConfig.wsProxy = (host, port) => `${wsProxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: url, max });
  return pooled('neon', pool, drizzle({ client: pool, schema }) as unknown as Db, migrate);
}
