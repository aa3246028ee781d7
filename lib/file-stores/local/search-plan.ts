import type { ScopeCounts } from './lexemes';

/**
 * Passages a search may read for a question's rare words. Ranking reads each candidate's row, so
 * this bounds a search's work whatever the size of the chat: a word in more passages than this
 * (in a chat of 100 MiB of text, "fix" or "version" are in tens of thousands) weighs in the
 * ranking but does not bring candidates of its own.
 */
export const CANDIDATE_BUDGET = 2000;

/** Which passages are ranked. */
export type Candidates =
  /** Every passage with any of these words: together they are in at most the budget. */
  | { kind: 'rare'; lexemes: string[] }
  /**
   * No word is rare enough: the passages with all the words, then those with the rarest one,
   * each capped at the budget.
   */
  | { kind: 'common'; all: string[]; rarest: string };

export interface SearchPlan {
  candidates: Candidates;
  /** Each word of the question and what having it is worth to a passage. */
  weights: { lexeme: string; weight: number }[];
}

/**
 * Rarer words first: the candidates are the passages with the rarest words that fit in the
 * budget together, and each word a passage has adds its inverse document frequency (as in BM25)
 * to its score, so one rare word outweighs several common ones. Undefined for a question with no
 * indexable word (only stop words, say).
 */
export function planSearch(counts: ScopeCounts, budget = CANDIDATE_BUDGET): SearchPlan | undefined {
  if (counts.terms.length === 0) return undefined;
  const terms = [...counts.terms].sort((a, b) => a.passages - b.passages || (a.lexeme < b.lexeme ? -1 : 1));
  const rare: string[] = [];
  let total = 0;
  for (const term of terms) {
    total += term.passages;
    if (total > budget) break;
    rare.push(term.lexeme);
  }
  const n = counts.passages;
  const weights = terms.map(({ lexeme, passages }) => {
    const df = Math.min(passages, n);
    return { lexeme, weight: Math.log(1 + (n - df + 0.5) / (df + 0.5)) };
  });
  const candidates: Candidates =
    rare.length > 0
      ? { kind: 'rare', lexemes: rare }
      : { kind: 'common', all: terms.map((t) => t.lexeme), rarest: (terms[0] as { lexeme: string }).lexeme };
  return { candidates, weights };
}

/** A tsquery of lexemes as they are (already stemmed), joined by `|` or `&`. */
export function lexemeQuery(lexemes: string[], operator: '|' | '&'): string {
  // Inside quotes a tsquery lexeme is literal, save for the quote and the backslash.
  return lexemes.map((l) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(` ${operator} `);
}
