import { and, asc, desc, eq, inArray, not, type SQL, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db';
import { localChunks, localVectorStoreFiles } from '@/lib/db/schema';
import { attachmentOf, countTerms } from './lexemes';
import { CANDIDATE_BUDGET, type Candidates, lexemeQuery, planSearch, type SearchPlan } from './search-plan';

export interface LocalSearchHit {
  fileId: string;
  attachmentId: string;
  content: string;
  score: number;
  seq: number;
  /** The page the passage starts on, for a paged document (PDF). */
  page?: number;
}

export interface LocalSearchOptions {
  attachmentIds?: string[];
  limit?: number;
  /** `CANDIDATE_BUDGET` unless set: tests lower it to see a small corpus searched as a large one is. */
  candidateBudget?: number;
}

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 50;
// A question has a handful of useful words; a pasted essay should not become a huge query.
const MAX_TERMS = 32;
// Longer "words" are not indexed by Postgres anyway (it skips lexemes over 2047 bytes).
const MAX_TERM_LENGTH = 100;
/** The best-scored candidates whose ties are broken by how often and how close the words occur. */
const RERANK = 50;

/**
 * The question's distinct words, space-separated. Only letters and digits (and combining marks)
 * survive, so nothing a user types reaches a tsquery as syntax (`& | ! ( ) : * '` and the like);
 * Postgres then stems them and drops the stop words.
 */
function questionWords(question: string): string {
  const words = new Set<string>();
  for (const [word] of question.toLowerCase().matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    if (word.length <= MAX_TERM_LENGTH) words.add(word);
    if (words.size === MAX_TERMS) break;
  }
  return [...words].join(' ');
}

/**
 * The passages of a store's indexed files that share words with the question, best first: a
 * passage scores the inverse document frequency of each of the question's words it has, so the
 * rare words of a question count most, and ties go to passages where the words occur more often
 * and closer together (cover density). Only the passages with the question's rarest words are
 * read (./search-plan.ts), through the index on (store, words): a search reads at most a budget
 * of rows however large the chat's documents are, and never a row of another store.
 */
export async function searchLocalStore(
  db: Db,
  vectorStoreId: string,
  query: string,
  options: LocalSearchOptions = {},
): Promise<LocalSearchHit[]> {
  const hits: LocalSearchHit[] = [];
  await inSearchTransaction(db, vectorStoreId, query, options, async (statements, limit) => {
    // A later statement's passages lack a word every earlier one's have, so they rank below them.
    for (const statement of statements) {
      for (const { page, ...hit } of await statement) hits.push(page === null ? hit : { ...hit, page });
      if (hits.length >= limit) break;
    }
    hits.splice(limit);
  });
  return hits;
}

/** The plan Postgres runs the first ranking statement of `searchLocalStore` with, run and timed. */
export async function explainLocalSearch(
  db: Db,
  vectorStoreId: string,
  query: string,
  options: LocalSearchOptions = {},
): Promise<string[]> {
  const lines: string[] = [];
  await inSearchTransaction(db, vectorStoreId, query, options, async ([statement], _limit, tx) => {
    const { rows } = (await tx.execute(sql`explain (analyze, buffers) ${statement}`)) as unknown as {
      rows: { 'QUERY PLAN': string }[];
    };
    for (const row of rows) lines.push(row['QUERY PLAN']);
  });
  return lines;
}

type RankStatement = ReturnType<typeof rankStatement>;

async function inSearchTransaction(
  db: Db,
  vectorStoreId: string,
  query: string,
  options: LocalSearchOptions,
  run: (statements: RankStatement[], limit: number, tx: Tx) => Promise<void>,
): Promise<void> {
  const words = questionWords(query);
  if (words === '' || options.attachmentIds?.length === 0) return;
  const requested = Math.trunc(options.limit ?? DEFAULT_LIMIT);
  const limit = Number.isNaN(requested) ? DEFAULT_LIMIT : Math.min(Math.max(requested, 1), MAX_LIMIT);
  // A transaction so that the planner settings last for these statements only.
  await db.transaction(async (tx) => {
    // A sequential scan would read every store's rows: where the statistics say a word is
    // common, the planner would rather scan the table than the index, even with a limit. JIT
    // compilation costs more than these small statements run for.
    await tx.execute(sql`select set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`);
    const counts = await countTerms(tx, vectorStoreId, words, options.attachmentIds);
    const budget = options.candidateBudget ?? CANDIDATE_BUDGET;
    const plan = counts && planSearch(counts, budget);
    if (!plan) return;
    const statements = candidateSets(plan.candidates, budget).map((candidates) =>
      rankStatement(tx, vectorStoreId, plan, candidates, options.attachmentIds, limit),
    );
    await run(statements, limit, tx);
  });
}

const has = (tsquery: string) => sql`${localChunks.tsv} @@ ${tsquery}::tsquery`;

interface CandidateSet {
  condition: SQL;
  /** At most this many, in table order: for words too common to read all their passages. */
  cap?: number;
}

/**
 * The passages to rank, one set after another until there are enough. With no rare word: the
 * passages with every word (capped), then, when those are too few, those with the rarest word.
 */
function candidateSets(candidates: Candidates, budget: number): CandidateSet[] {
  if (candidates.kind === 'rare') return [{ condition: has(lexemeQuery(candidates.lexemes, '|')) }];
  const every = has(lexemeQuery(candidates.all, '&'));
  if (candidates.all.length === 1) return [{ condition: every, cap: budget }];
  const rarest = has(lexemeQuery([candidates.rarest], '|'));
  return [
    { condition: every, cap: budget },
    { condition: and(rarest, not(every)) as SQL, cap: budget },
  ];
}

function rankStatement(
  tx: Tx,
  vectorStoreId: string,
  plan: SearchPlan,
  { condition, cap }: CandidateSet,
  attachmentIds: string[] | undefined,
  limit: number,
) {
  const searchable: SQL[] = [
    eq(localVectorStoreFiles.vectorStoreId, vectorStoreId),
    eq(localVectorStoreFiles.status, 'completed'),
  ];
  if (attachmentIds) searchable.push(inArray(attachmentOf(), attachmentIds));
  const files = tx
    .select({ fileId: localVectorStoreFiles.fileId })
    .from(localVectorStoreFiles)
    .where(and(...searchable));
  const matching = tx
    .select({
      fileId: localChunks.fileId,
      seq: localChunks.seq,
      content: localChunks.content,
      page: localChunks.page,
      tsv: localChunks.tsv,
    })
    .from(localChunks)
    .where(and(eq(localChunks.vectorStoreId, vectorStoreId), inArray(localChunks.fileId, files), condition));
  const candidates = (cap === undefined ? matching : matching.limit(cap)).as('candidates');

  const score = sql<number>`(${sql.join(
    plan.weights.map(
      ({ lexeme, weight }) =>
        sql`(${candidates.tsv} @@ ${lexemeQuery([lexeme], '|')}::tsquery)::int * ${weight}::float8`,
    ),
    sql` + `,
  )})`;
  const best = tx
    .select({
      fileId: candidates.fileId,
      seq: candidates.seq,
      content: candidates.content,
      page: candidates.page,
      tsv: candidates.tsv,
      score: score.as('score'),
    })
    .from(candidates)
    .orderBy(desc(score), asc(candidates.fileId), asc(candidates.seq))
    .limit(RERANK)
    .as('best');

  const everyWord = lexemeQuery(
    plan.weights.map((w) => w.lexeme),
    '|',
  );
  const density = sql`ts_rank_cd(${best.tsv}, ${everyWord}::tsquery)`;
  return tx
    .select({
      fileId: best.fileId,
      attachmentId: attachmentOf(),
      content: best.content,
      score: sql<number>`${best.score}`.mapWith(Number),
      seq: best.seq,
      page: best.page,
    })
    .from(best)
    .innerJoin(
      localVectorStoreFiles,
      and(
        eq(localVectorStoreFiles.vectorStoreId, vectorStoreId),
        eq(localVectorStoreFiles.fileId, best.fileId),
      ),
    )
    .orderBy(desc(best.score), desc(density), asc(best.fileId), asc(best.seq))
    .limit(limit);
}
