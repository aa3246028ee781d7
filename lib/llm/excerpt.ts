const MAX_EXCERPT = 400;

/** Words that carry meaning: short words (how, are, the) would match almost any paragraph. */
const termsOf = (text: string) =>
  new Set([...text.toLowerCase().matchAll(/[\p{L}\p{M}\p{N}]{4,}/gu)].map(([w]) => w));

/** A crude stem, so that "refunded" finds "refund" and "refunds": the first five letters. */
const stem = (word: string) => word.slice(0, 5);

function score(paragraph: string, stems: Set<string>): number {
  const present = new Set([...termsOf(paragraph)].map(stem));
  let hits = 0;
  for (const s of stems) if (present.has(s)) hits++;
  return hits;
}

/**
 * The part of a retrieved passage worth quoting for a question. A passage (an index chunk) can
 * hold several paragraphs: the one sharing most words with the question is chosen, and cut to
 * about 400 characters around its first match, at word boundaries.
 */
export function excerpt(passage: string, question: string, max = MAX_EXCERPT): string {
  const stems = new Set([...termsOf(question)].map(stem));
  const paragraphs = passage
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  let best = paragraphs[0] ?? '';
  let bestScore = -1;
  for (const paragraph of paragraphs) {
    const s = score(paragraph, stems);
    if (s > bestScore) {
      best = paragraph;
      bestScore = s;
    }
  }
  return window(best, stems, max);
}

function window(text: string, stems: Set<string>, max: number): string {
  if (text.length <= max) return text;
  const lower = text.toLowerCase();
  let hit = -1;
  for (const s of stems) {
    const at = lower.search(
      new RegExp(`(?<![\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'u'),
    );
    if (at >= 0 && (hit < 0 || at < hit)) hit = at;
  }
  // Back to the start of the sentence the hit is in, unless that is too far for the hit to show.
  let start = Math.max(0, hit);
  const sentence = text.lastIndexOf('. ', start);
  start = sentence >= 0 && start - sentence < max / 2 ? sentence + 2 : Math.max(0, start - 40);
  if (start > 0 && text[start - 1] !== ' ') {
    const space = text.indexOf(' ', start);
    if (space >= 0 && space < start + 20) start = space + 1;
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
