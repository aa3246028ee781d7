// @ts-check

import { DocumentTooComplex, MAX_PDF_PAGES } from './protocol.mjs';
import { unzipCapped } from './unzip.mjs';

/**
 * Text extraction for each indexable kind. It runs only in the sandbox process (./worker.mjs),
 * whose memory and time the web process caps; the limits here are the ones a process cap cannot
 * express: bytes inflated from an archive, text produced, pages.
 */

/**
 * @typedef {object} TextLimits
 * @property {number} maxUnpackedBytes
 * @property {number} maxTextBytes
 */

const utf8 = (/** @type {Uint8Array} */ bytes) => new TextDecoder('utf-8').decode(bytes);

/**
 * A document's text: one string, or for a PDF the text of each page, so that passages can say
 * which page they come from.
 * @param {import('./protocol.mjs').DocumentKind} kind
 * @param {Uint8Array} bytes
 * @param {TextLimits} limits
 * @returns {Promise<string | string[]>}
 */
export async function extractText(kind, bytes, limits) {
  const text = await extractors[kind](bytes, limits);
  if (typeof text === 'string') checkTextSize(text, limits.maxTextBytes);
  return text;
}

/** @type {Record<import('./protocol.mjs').DocumentKind, (bytes: Uint8Array, limits: TextLimits) => string | Promise<string | string[]>>} */
const extractors = {
  text: (bytes) => utf8(bytes),
  html: (bytes) => htmlToText(utf8(bytes)),
  pdf: pdfText,
  docx: (bytes, { maxUnpackedBytes }) => {
    const xml = unzipCapped(bytes, (name) => name === DOCX_BODY, maxUnpackedBytes).get(DOCX_BODY);
    if (!xml) throw new Error(`no ${DOCX_BODY}`);
    return docxText(utf8(xml));
  },
  pptx: (bytes, { maxUnpackedBytes }) =>
    pptxText(unzipCapped(bytes, (name) => SLIDE.test(name), maxUnpackedBytes)),
};

/**
 * @param {string} text
 * @param {number} maxBytes
 */
function checkTextSize(text, maxBytes) {
  if (Buffer.byteLength(text) > maxBytes) throw new DocumentTooComplex(`text longer than ${maxBytes} bytes`);
}

/**
 * Page by page, one at a time, stopping as soon as the text is over the limit.
 * @param {Uint8Array} bytes
 * @param {TextLimits} limits
 * @returns {Promise<string[]>}
 */
async function pdfText(bytes, { maxTextBytes }) {
  // Loaded only here: pdf.js is most of the sandbox's start-up time.
  const { getDocumentProxy } = await import('unpdf');
  // pdf.js refuses a Buffer and takes ownership of (detaches) what it is given, so it gets a plain
  // copy; verbosity 0 keeps its console warnings about malformed files off stderr.
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  try {
    if (pdf.numPages > MAX_PDF_PAGES) throw new DocumentTooComplex(`more than ${MAX_PDF_PAGES} pages`);
    /** @type {string[]} */
    const pages = [];
    let textBytes = 0;
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      const text = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
        .join('');
      page.cleanup();
      textBytes += Buffer.byteLength(text) + 2;
      if (textBytes > maxTextBytes) throw new DocumentTooComplex(`text longer than ${maxTextBytes} bytes`);
      pages.push(text);
    }
    return pages;
  } finally {
    await pdf.destroy();
  }
}

const HIDDEN_ELEMENTS = /<(script|style|noscript|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi;
const COMMENTS = /<!--[\s\S]*?(?:-->|$)/g;
// `[^<>]*` rather than `[^>]*`, and the lookahead that stops the name from backtracking, keep this
// linear on text full of stray `<`.
const TAGS = /<\/?([a-zA-Z][a-zA-Z0-9-]*)(?![a-zA-Z0-9-])[^<>]*>|<[!?][^<>]*>/g;
const BLOCK_ELEMENTS = new Set(
  'address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul'.split(
    ' ',
  ),
);

/**
 * The text a reader sees. Block elements become paragraph breaks so the chunker can cut there;
 * an unclosed <script> or comment hides the rest of the document, as it does in a browser.
 */
/** @param {string} html */
function htmlToText(html) {
  const text = html
    .replace(COMMENTS, ' ')
    .replace(HIDDEN_ELEMENTS, ' ')
    // Source whitespace is insignificant in HTML; the only breaks are the ones tags make.
    .replace(/\s+/g, ' ')
    .replace(TAGS, (/** @type {string} */ _tag, /** @type {string | undefined} */ name) => {
      const lower = name?.toLowerCase();
      if (lower === 'br') return '\n';
      return lower && BLOCK_ELEMENTS.has(lower) ? '\n\n' : '';
    })
    .replace(/ +/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
  return decodeEntities(text).trim();
}

/** @type {Record<string, string>} */
const NAMED_ENTITIES = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** @param {string} text */
function decodeEntities(text) {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,32}));/g,
    (
      /** @type {string} */ entity,
      /** @type {string | undefined} */ dec,
      /** @type {string | undefined} */ hex,
      /** @type {string | undefined} */ name,
    ) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : '\uFFFD';
    },
  );
}

const DOCX_BODY = 'word/document.xml';
// Paragraph properties hold tab stops (<w:tab w:pos=…/>), which are not text; AlternateContent
// says the same thing twice (a drawing and its fallback), so the fallback goes.
const DOCX_NOT_TEXT = /<w:pPr\b[\s\S]*?(?:<\/w:pPr>|$)|<mc:Fallback\b[\s\S]*?(?:<\/mc:Fallback>|$)/g;
const DOCX_RUN_TEXT = /<w:t(?:\s[^<>]*)?>([^<]*)<\/w:t>|<w:(tab|br|cr)\b[^<>]*>/g;

/**
 * The body's paragraphs, one after another: text runs, tabs and line breaks, as a reader sees them.
 * @param {string} xml
 */
function docxText(xml) {
  return xml
    .replace(DOCX_NOT_TEXT, '')
    .split(/<\/w:p>/)
    .map((paragraph) =>
      Array.from(paragraph.matchAll(DOCX_RUN_TEXT), ([, text, mark]) =>
        text !== undefined ? decodeEntities(text) : mark === 'tab' ? '\t' : '\n',
      ).join(''),
    )
    .filter((paragraph) => paragraph.trim() !== '')
    .join('\n\n');
}

const SLIDE = /^ppt\/slides\/slide(\d+)\.xml$/;

/**
 * The text runs of each slide, slides in number order, one paragraph per line.
 * @param {Map<string, Uint8Array>} slides
 */
function pptxText(slides) {
  const slideNumber = (/** @type {string} */ name) => Number(SLIDE.exec(name)?.[1]);
  return Array.from(slides)
    .sort(([a], [b]) => slideNumber(a) - slideNumber(b))
    .map(([, xml]) => slideText(utf8(xml)))
    .join('\n\n');
}

/** @param {string} xml */
function slideText(xml) {
  return xml
    .split(/<\/a:p>/)
    .map((paragraph) =>
      // A line break inside a paragraph (<a:br/>) is the one match without a text group.
      Array.from(paragraph.matchAll(/<a:t(?:\s[^<>]*)?>([^<]*)<\/a:t>|<a:br\b[^<>]*>/g), ([, text]) =>
        text === undefined ? '\n' : decodeEntities(text),
      ).join(''),
    )
    .filter((line) => line.trim() !== '')
    .join('\n');
}
