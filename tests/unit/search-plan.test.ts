import { describe, expect, it } from 'vitest';
import { lexemeQuery, planSearch } from '@/lib/file-stores/local/search-plan';

const counts = (passages: number, terms: Record<string, number>) => ({
  passages,
  terms: Object.entries(terms).map(([lexeme, n]) => ({ lexeme, passages: n })),
});

describe('planSearch', () => {
  it('reads the passages of the rarest words that fit in the budget together', () => {
    const plan = planSearch(
      counts(100_000, { fix: 44_000, vaapi: 12, shader: 26, macro: 5_300, tell: 500 }),
      600,
    );
    expect(plan?.candidates).toEqual({ kind: 'rare', lexemes: ['vaapi', 'shader', 'tell'] });
  });

  it('reads every matching passage when the words are rare enough, as in a small chat', () => {
    const plan = planSearch(counts(40, { refund: 9, polici: 9, good: 9 }), 2000);
    expect(plan?.candidates).toEqual({ kind: 'rare', lexemes: ['good', 'polici', 'refund'] });
  });

  it('falls back to the passages with every word, then with the rarest, when no word is rare', () => {
    const plan = planSearch(counts(100_000, { new: 29_000, version: 22_000, chang: 9_000 }), 2000);
    expect(plan?.candidates).toEqual({ kind: 'common', all: ['chang', 'version', 'new'], rarest: 'chang' });
  });

  it('weighs rare words above common ones, and every word above nothing', () => {
    const plan = planSearch(counts(100_000, { fix: 44_000, vaapi: 12, everywhere: 100_000 }));
    const weight = Object.fromEntries(plan?.weights.map((w) => [w.lexeme, w.weight]) ?? []);
    expect(weight.vaapi).toBeGreaterThan(5 * (weight.fix as number));
    expect(weight.everywhere).toBeGreaterThan(0);
    expect(weight.fix).toBeGreaterThan(weight.everywhere as number);
  });

  it('has nothing to search for a question of stop words only', () => {
    expect(planSearch(counts(100, {}))).toBeUndefined();
  });
});

describe('lexemeQuery', () => {
  it('quotes each lexeme, so none is read as tsquery syntax', () => {
    expect(lexemeQuery(['fix', "o'neil", 'a\\b'], '|')).toBe("'fix' | 'o''neil' | 'a\\\\b'");
    expect(lexemeQuery(['new', 'version'], '&')).toBe("'new' & 'version'");
  });
});
