import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { localLexemes, localVectorStoreFiles } from '@/lib/db/schema';

/**
 * A word in fewer passages of a file than this is left out of its counts. Most words of a file
 * are that rare (in 24 MiB of changelogs, 119k words of which 9k reach 10 passages), and for a
 * search a rare word needs no exact count: it is at most this, less one, per file.
 */
export const LEXEME_MIN_PASSAGES = 10;

/**
 * Counts, in the file's passages just written (same transaction), the passages that have each
 * word, for the words frequent enough to keep. ts_stat reads the file's tsvectors in one pass.
 */
export async function recordLexemes(tx: Queryable, vectorStoreId: string, fileId: string): Promise<void> {
  await tx.delete(localLexemes).where(fileLexemes(vectorStoreId, fileId));
  await tx.execute(sql`
    insert into ${localLexemes} (vector_store_id, file_id, lexeme, passages)
    select ${vectorStoreId}, ${fileId}, word, ndoc
    from ts_stat(format(
      'select tsv from local_chunks where vector_store_id = %L and file_id = %L',
      ${vectorStoreId}::text, ${fileId}::text
    ))
    where ndoc >= ${LEXEME_MIN_PASSAGES}`);
}

const fileLexemes = (vectorStoreId: string, fileId: string) =>
  and(eq(localLexemes.vectorStoreId, vectorStoreId), eq(localLexemes.fileId, fileId));

/** A question's word (as the index stems it) and how many passages in the search's scope have it. */
export interface TermCount {
  lexeme: string;
  /** An upper bound: exact for a word counted in every file, else the most it can be. */
  passages: number;
}

export interface ScopeCounts {
  /** Passages of the searchable files. */
  passages: number;
  terms: TermCount[];
}

/**
 * The question's words and their counts over the store's searchable files (completed, and among
 * `attachmentIds` when given); undefined when no file is searchable. One query, on this store's
 * rows only: its files, and the counts of these words.
 */
export async function countTerms(
  tx: Queryable,
  vectorStoreId: string,
  words: string,
  attachmentIds: string[] | undefined,
): Promise<ScopeCounts | undefined> {
  const lexemes = sql<string[]>`tsvector_to_array(to_tsvector('english', ${words}))`;
  const conditions: SQL[] = [
    eq(localVectorStoreFiles.vectorStoreId, vectorStoreId),
    eq(localVectorStoreFiles.status, 'completed'),
  ];
  if (attachmentIds) conditions.push(inArray(attachmentOf(), attachmentIds));
  const rows = await tx
    .select({
      fileId: localVectorStoreFiles.fileId,
      chunks: localVectorStoreFiles.chunks,
      lexemes,
      lexeme: localLexemes.lexeme,
      passages: localLexemes.passages,
    })
    .from(localVectorStoreFiles)
    .leftJoin(
      localLexemes,
      and(
        eq(localLexemes.vectorStoreId, localVectorStoreFiles.vectorStoreId),
        eq(localLexemes.fileId, localVectorStoreFiles.fileId),
        sql`${localLexemes.lexeme} = any(${lexemes})`,
      ),
    )
    .where(and(...conditions));
  if (rows.length === 0) return undefined;
  const files = new Map(rows.map((r) => [r.fileId, r.chunks]));
  const counted = new Map(rows.map((r) => [`${r.lexeme}\u0000${r.fileId}`, r.passages]));
  const terms = (rows[0]?.lexemes ?? []).map((lexeme) => {
    let passages = 0;
    for (const [fileId, chunks] of files) {
      passages += counted.get(`${lexeme}\u0000${fileId}`) ?? Math.min(LEXEME_MIN_PASSAGES - 1, chunks);
    }
    return { lexeme, passages };
  });
  let passages = 0;
  for (const chunks of files.values()) passages += chunks;
  return { passages, terms };
}

/** The attachment a store's file was indexed for ('' when none), as search filters on it. */
export const attachmentOf = () =>
  sql<string>`coalesce(${localVectorStoreFiles.attributes} ->> 'attachment_id', '')`;
