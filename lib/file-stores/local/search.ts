import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { localChunks, localVectorStoreFiles } from '@/lib/db/schema';

export interface LocalSearchHit {
  fileId: string;
  attachmentId: string;
  content: string;
  score: number;
  seq: number;
}

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 50;
// A question has a handful of useful words; a pasted essay should not become a huge query.
const MAX_TERMS = 32;
// Longer "words" are not indexed by Postgres anyway (it skips lexemes over 2047 bytes).
const MAX_TERM_LENGTH = 100;

/**
 * Any-word query text for to_tsquery: `refund | policy | damaged | goods`. Only letters and digits
 * (and combining marks) survive, so nothing a user types can form tsquery syntax (`& | ! ( ) : * '` and the like).
 * Stop words need no filtering here; to_tsquery drops them itself.
 */
function anyWordQuery(question: string): string {
  const words = new Set<string>();
  for (const [word] of question.toLowerCase().matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    if (word.length <= MAX_TERM_LENGTH) words.add(word);
    if (words.size === MAX_TERMS) break;
  }
  return [...words].join(' | ');
}

/**
 * The passages of a store's indexed files that share words with the question, best first. An OR
 * of the words (plainto_tsquery would AND them, so every word of a question would have to appear)
 * ranked by cover density, so passages matching more of the words, closer together, come first.
 */
export async function searchLocalStore(
  db: Db,
  vectorStoreId: string,
  query: string,
  options: { attachmentIds?: string[]; limit?: number } = {},
): Promise<LocalSearchHit[]> {
  const text = anyWordQuery(query);
  if (text === '' || options.attachmentIds?.length === 0) return [];
  const requested = Math.trunc(options.limit ?? DEFAULT_LIMIT);
  const limit = Number.isNaN(requested) ? DEFAULT_LIMIT : Math.min(Math.max(requested, 1), MAX_LIMIT);
  const tsquery = sql`to_tsquery('english', ${text})`;
  const attachmentId = sql<string>`coalesce(${localVectorStoreFiles.attributes} ->> 'attachment_id', '')`;
  const score = sql<number>`ts_rank_cd(${localChunks.tsv}, ${tsquery})`.mapWith(Number);
  const conditions: SQL[] = [
    eq(localChunks.vectorStoreId, vectorStoreId),
    eq(localVectorStoreFiles.status, 'completed'),
    sql`${localChunks.tsv} @@ ${tsquery}`,
  ];
  if (options.attachmentIds) conditions.push(inArray(attachmentId, options.attachmentIds));
  return db
    .select({
      fileId: localChunks.fileId,
      attachmentId,
      content: localChunks.content,
      score,
      seq: localChunks.seq,
    })
    .from(localChunks)
    .innerJoin(
      localVectorStoreFiles,
      and(
        eq(localVectorStoreFiles.vectorStoreId, localChunks.vectorStoreId),
        eq(localVectorStoreFiles.fileId, localChunks.fileId),
      ),
    )
    .where(and(...conditions))
    .orderBy(desc(score), asc(localChunks.fileId), asc(localChunks.seq))
    .limit(limit);
}
