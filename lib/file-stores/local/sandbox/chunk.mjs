// @ts-check
// Plain JavaScript, because it runs in the extraction sandbox: a bare `node` process with no
// TypeScript loader (see ../extract.ts). The JSDoc types are checked by tsc all the same.

/**
 * Passages of roughly MIN..MAX characters for the full-text index: long enough to answer from,
 * short enough that a citation points somewhere specific. Consecutive passages share up to
 * OVERLAP characters so a sentence cut off at one edge is whole in the next.
 */
const MIN = 800;
const MAX = 1200;
const OVERLAP = 200;

/**
 * @typedef {object} Unit
 * @property {string} text
 * @property {string} sep What joins this unit to the one before it in the source: a paragraph or
 *   line break, a space.
 * @property {number} page The page it is on, 0 when the document has none.
 */

/**
 * @typedef {object} PagedPassage
 * @property {string} text
 * @property {number} page The page the passage starts on, from 1 (0 for text without pages).
 */

/**
 * @param {string} raw
 * @returns {string[]}
 */
export function chunkText(raw) {
  return pack(units(normalize(raw), 0, '')).map((passage) => passage.text);
}

/**
 * A paged document's passages, each with the page it starts on. Pages join as paragraphs do, so
 * a passage may run on over a page break; its citation then points at the page where it begins.
 * A passage that begins at a page break does not repeat the previous page's last sentences, so
 * it is cited at the page it is about.
 * @param {string[]} pages the text of each page, from page 1
 * @returns {PagedPassage[]}
 */
export function chunkPages(pages) {
  /** @type {Unit[]} */
  const all = [];
  for (const [i, page] of pages.entries()) {
    for (const unit of units(normalize(page), i + 1, all.length === 0 ? '' : '\n\n')) all.push(unit);
  }
  return pack(all);
}

/**
 * @param {Iterable<Unit>} source
 * @returns {PagedPassage[]}
 */
function pack(source) {
  /** @type {PagedPassage[]} */
  const chunks = [];
  /** @type {Unit[]} */
  let current = [];
  let length = 0;
  // How many leading units of `current` were already emitted (the overlap).
  let repeated = 0;
  for (const unit of source) {
    while (current.length > 0 && length + unit.sep.length + unit.text.length > MAX) {
      if (repeated === current.length) {
        current.shift();
        repeated--;
      } else {
        const cut = cutIndex(current, repeated);
        const emitted = current.slice(0, cut);
        chunks.push(passage(emitted));
        // No overlap across a page break: a passage that opens a page starts on that page.
        const next = /** @type {Unit} */ (current[cut] ?? unit);
        const overlap = tail(emitted).filter((u) => u.page === next.page);
        current = [...overlap, ...current.slice(cut)];
        repeated = overlap.length;
      }
      length = join(current).length;
    }
    length += (current.length === 0 ? 0 : unit.sep.length) + unit.text.length;
    current.push(unit);
  }
  if (current.length > repeated) chunks.push(passage(current));
  return chunks;
}

/** @param {Unit[]} list */
const passage = (list) => ({ text: join(list), page: /** @type {Unit} */ (list[0]).page });

/** @param {string} text */
function normalize(text) {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/\0/g, '') // Postgres text cannot hold NUL.
      // Line by line, not with a regex, which would be quadratic on long runs of spaces.
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      // Leading indentation is kept: it carries meaning in code.
      .replace(/^\n+/, '')
      .trimEnd()
  );
}

/** Paragraphs split into sentences (or lines), and anything still too long split at spaces. */
/**
 * @param {string} text
 * @param {number} page
 * @param {string} first what joins the text's first unit to what came before it
 * @returns {Unit[]}
 */
function units(text, page, first) {
  /** @type {Unit[]} */
  const out = [];
  for (const [p, paragraph] of text.split('\n\n').entries()) {
    // The capture keeps each separator (a sentence-ending space or a line break) between the pieces.
    const pieces = paragraph.split(/((?<=[.!?]["')\]]?) |\n)/);
    let sep = p === 0 ? first : '\n\n';
    for (let i = 0; i < pieces.length; i += 2) {
      out.push(...splitLong(pieces[i] ?? '', sep, page));
      sep = pieces[i + 1] ?? '';
    }
  }
  return out;
}

/**
 * @param {string} text
 * @param {string} sep
 * @param {number} page
 * @returns {Unit[]}
 */
function splitLong(text, sep, page) {
  /** @type {Unit[]} */
  const parts = [];
  let rest = text;
  let nextSep = sep;
  while (rest.length > MAX) {
    // Prefer a space; a long token with none is cut hard and joins back with nothing.
    const space = rest.lastIndexOf(' ', MAX);
    const at = space > 0 ? space : MAX;
    parts.push({ text: rest.slice(0, at), sep: nextSep, page });
    nextSep = space > 0 ? ' ' : '';
    rest = rest.slice(space > 0 ? at + 1 : at);
  }
  if (rest !== '') parts.push({ text: rest, sep: nextSep, page });
  return parts;
}

/** @param {Unit[]} list */
const join = (list) => list.map((u, i) => (i === 0 ? u.text : u.sep + u.text)).join('');

/**
 * Where to end the passage: at the last paragraph start that still leaves it at least MIN long,
 * else after everything collected so far. Always past the overlap, so each passage has new text.
 */
/**
 * @param {Unit[]} list
 * @param {number} repeated
 */
function cutIndex(list, repeated) {
  let cut = list.length;
  let length = 0;
  for (const [i, unit] of list.entries()) {
    if (i > repeated && unit.sep === '\n\n' && length >= MIN) cut = i;
    length += (i === 0 ? 0 : unit.sep.length) + unit.text.length;
  }
  return cut;
}

/** The trailing sentences of a passage, up to OVERLAP characters, to repeat at the next one's start. */
/** @param {Unit[]} list */
function tail(list) {
  let start = list.length;
  let length = 0;
  while (start > 1) {
    const unit = /** @type {Unit} */ (list[start - 1]);
    const joiner = start < list.length ? /** @type {Unit} */ (list[start]).sep.length : 0;
    if (length + unit.text.length + joiner > OVERLAP) break;
    length += unit.text.length + joiner;
    start--;
  }
  return list.slice(start);
}
