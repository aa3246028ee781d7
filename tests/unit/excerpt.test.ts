import { describe, expect, it } from 'vitest';
import { excerpt } from '@/lib/llm/excerpt';

describe('the quoted part of a retrieved passage', () => {
  const passage = [
    'Shipping. Orders leave our warehouse within two working days of payment.',
    'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us.',
    'Warranty. Every appliance carries a two-year warranty against manufacturing defects.',
  ].join('\n\n');

  it('picks the paragraph that shares most words with the question, word forms included', () => {
    expect(excerpt(passage, 'How is a refund for damaged goods paid?')).toBe(
      'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us.',
    );
    expect(excerpt(passage, 'warranty length')).toMatch(/^Warranty\. Every appliance/);
  });

  it('quotes the first paragraph when nothing matches', () => {
    expect(excerpt(passage, 'zebra')).toMatch(/^Shipping\./);
  });

  it('cuts a long paragraph around its first match, at word boundaries, marking the cuts', () => {
    const long = `${'Filler sentence about nothing much at all. '.repeat(30)}The budget for travel is 42 units. ${'More filler follows here. '.repeat(30)}`;
    const quote = excerpt(long, 'travel budget', 120);
    // From the start of the sentence holding the match.
    expect(quote.startsWith('…The budget for travel is 42 units.')).toBe(true);
    expect(quote.endsWith('…')).toBe(true);
    expect(quote.length).toBeLessThanOrEqual(122);
    expect(quote).toMatch(/ \S+…$/);
  });
});
