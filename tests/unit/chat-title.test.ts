import { describe, expect, it } from 'vitest';
import { titleFrom } from '@/lib/chats/queries';

describe('a chat named after its first message', () => {
  it('takes the first line with its spaces collapsed', () => {
    expect(titleFrom('  What does   the\treport say?\nAnd the appendix?')).toBe('What does the report say?');
  });

  it('keeps 80 characters, and cuts longer lines to 79 and an ellipsis', () => {
    const exact = 'a'.repeat(80);
    expect(titleFrom(exact)).toBe(exact);
    expect(titleFrom(`${'b'.repeat(78)} cde`)).toBe(`${'b'.repeat(78)}…`);
  });

  it('counts characters, not UTF-16 units, so no emoji is cut in half', () => {
    const title = titleFrom('😀'.repeat(100));
    expect([...title]).toHaveLength(80);
    expect(title).toBe(`${'😀'.repeat(79)}…`);
  });
});
