export type { Db, Queryable, Tx } from './client';
export * as schema from './schema';
