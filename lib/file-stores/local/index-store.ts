import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { pgErrorCode } from '@/lib/db/errors';
import { localChunks, localVectorStoreFiles, localVectorStores } from '@/lib/db/schema';
import {
  FileStoreError,
  INDEXING_FAILURES,
  type IndexingFailure,
  type StoredObject,
  type VectorStoreFileState,
} from '@/lib/file-stores/ports';
import { recordLexemes } from './lexemes';

const FOREIGN_KEY_VIOLATION = '23503';
// Well under Postgres' 65535 bind parameters per statement at six columns a row.
const INSERT_BATCH = 500;

/** A passage of a document; `page` (from 1) for a paged one (PDF): the page it starts on. */
export interface Chunk {
  content: string;
  page?: number;
}

export type IndexOutcome = { chunks: Chunk[] } | { error: string };

export async function createStore(db: Db, name: string | null): Promise<string> {
  const id = `lvs_${randomUUID()}`;
  await db.insert(localVectorStores).values({ id, name });
  return id;
}

export async function listStores(db: Db): Promise<StoredObject[]> {
  return db
    .select({
      id: localVectorStores.id,
      name: localVectorStores.name,
      createdAt: localVectorStores.createdAt,
    })
    .from(localVectorStores)
    .orderBy(desc(localVectorStores.createdAt));
}

/** Files and chunks go with it (ON DELETE CASCADE). */
export async function deleteStore(db: Db, vectorStoreId: string): Promise<void> {
  await db.delete(localVectorStores).where(eq(localVectorStores.id, vectorStoreId));
}

const fileRow = (vectorStoreId: string, fileId: string) =>
  and(eq(localVectorStoreFiles.vectorStoreId, vectorStoreId), eq(localVectorStoreFiles.fileId, fileId));

/**
 * Puts the file in the store as `in_progress`, replacing an earlier entry's state and attributes.
 * Search skips it until `finishIndexing`, so a re-add never serves a mix of old and new passages.
 */
export async function startIndexing(
  db: Db,
  vectorStoreId: string,
  fileId: string,
  attributes: Record<string, string>,
): Promise<void> {
  try {
    await db
      .insert(localVectorStoreFiles)
      .values({ vectorStoreId, fileId, status: 'in_progress', attributes })
      .onConflictDoUpdate({
        target: [localVectorStoreFiles.vectorStoreId, localVectorStoreFiles.fileId],
        set: { status: 'in_progress', attributes, lastError: null },
      });
  } catch (err) {
    if (pgErrorCode(err) === FOREIGN_KEY_VIOLATION) {
      throw new FileStoreError('vector_store_failed', 'vector store not found', { status: 404, cause: err });
    }
    throw err;
  }
}

/** The passages, their word counts and the final status land together, or not at all. */
export async function finishIndexing(
  db: Db,
  vectorStoreId: string,
  fileId: string,
  attributes: Record<string, string>,
  outcome: IndexOutcome,
): Promise<void> {
  const chunks = 'chunks' in outcome ? outcome.chunks : [];
  await db.transaction(async (tx) => {
    // Updating first takes the row lock, so two adds of one file replace chunks one after the other.
    const [row] = await tx
      .update(localVectorStoreFiles)
      .set({
        status: 'chunks' in outcome ? 'completed' : 'failed',
        attributes,
        lastError: 'error' in outcome ? outcome.error : null,
        chunks: chunks.length,
      })
      .where(fileRow(vectorStoreId, fileId))
      .returning({ fileId: localVectorStoreFiles.fileId });
    // Removed from the store while we were extracting: it stays removed.
    if (!row) return;
    await tx
      .delete(localChunks)
      .where(and(eq(localChunks.vectorStoreId, vectorStoreId), eq(localChunks.fileId, fileId)));
    for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
      await tx
        .insert(localChunks)
        .values(
          chunks
            .slice(start, start + INSERT_BATCH)
            .map(({ content, page }, i) => ({ vectorStoreId, fileId, seq: start + i, content, page })),
        );
    }
    await recordLexemes(tx, vectorStoreId, fileId);
  });
}

const isIndexingFailure = (code: string | null): code is IndexingFailure =>
  (INDEXING_FAILURES as readonly (string | null)[]).includes(code);

/** A failure's `last_error` is passed on only when it is one of the codes a client may see. */
export async function fileStatus(
  db: Db,
  vectorStoreId: string,
  fileId: string,
): Promise<VectorStoreFileState> {
  const [row] = await db
    .select({ status: localVectorStoreFiles.status, lastError: localVectorStoreFiles.lastError })
    .from(localVectorStoreFiles)
    .where(fileRow(vectorStoreId, fileId));
  if (!row) throw new FileStoreError('indexing_failed', 'not found', { status: 404 });
  return row.status === 'failed' && isIndexingFailure(row.lastError)
    ? { status: row.status, error: row.lastError }
    : { status: row.status };
}

export async function removeFile(db: Db, vectorStoreId: string, fileId: string): Promise<void> {
  await db.delete(localVectorStoreFiles).where(fileRow(vectorStoreId, fileId));
}

/** Like OpenAI, deleting a file takes it out of every store that holds it. */
export async function detachEverywhere(db: Db, fileId: string): Promise<void> {
  await db.delete(localVectorStoreFiles).where(eq(localVectorStoreFiles.fileId, fileId));
}
