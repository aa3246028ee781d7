import { unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { extractText as extractPdfText, getDocumentProxy } from 'unpdf';

export type Extractor = (bytes: Uint8Array) => Promise<string>;

// CSV is indexed as plain text (the attachment service stores it as .txt anyway).
const PLAIN_TEXT = ['txt', 'md', 'json', 'csv', 'py', 'java', 'js', 'ts', 'rs', 'go', 'cs', 'rb', 'sql'];

const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8').decode(bytes);

const extractors: Record<string, Extractor> = {
  ...Object.fromEntries(PLAIN_TEXT.map((ext) => [ext, async (bytes: Uint8Array) => utf8(bytes)])),
  html: async (bytes) => htmlToText(utf8(bytes)),
  pdf: async (bytes) => {
    // pdf.js takes ownership of (detaches) the buffer it is given, so it gets a copy; verbosity 0
    // keeps its console warnings about malformed files out of our logs.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      return (await extractPdfText(pdf, { mergePages: false })).text.join('\n\n');
    } finally {
      await pdf.destroy();
    }
  },
  docx: async (bytes) => (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value,
  pptx: async (bytes) => pptxText(bytes),
};

/** The text extractor for a stored file name's extension; undefined when the type is not indexable. */
export function extractorFor(fileName: string): Extractor | undefined {
  const dot = fileName.lastIndexOf('.');
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  return Object.hasOwn(extractors, ext) ? extractors[ext] : undefined;
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
function htmlToText(html: string): string {
  const text = html
    .replace(COMMENTS, ' ')
    .replace(HIDDEN_ELEMENTS, ' ')
    // Source whitespace is insignificant in HTML; the only breaks are the ones tags make.
    .replace(/\s+/g, ' ')
    .replace(TAGS, (_tag, name: string | undefined) => {
      const lower = name?.toLowerCase();
      if (lower === 'br') return '\n';
      return lower && BLOCK_ELEMENTS.has(lower) ? '\n\n' : '';
    })
    .replace(/ +/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
  return decodeEntities(text).trim();
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,32}));/g,
    (entity, dec, hex, name) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : '\uFFFD';
    },
  );
}

const SLIDE = /^ppt\/slides\/slide(\d+)\.xml$/;
// Slide XML is small; more than this is a zip bomb, not a presentation.
const MAX_SLIDE_XML_BYTES = 64 * 1024 * 1024;

/** The text runs of each slide, slides in number order, one paragraph per line. */
function pptxText(bytes: Uint8Array): string {
  let total = 0;
  const files = unzipSync(bytes, {
    filter: (file) => {
      if (!SLIDE.test(file.name)) return false;
      total += file.originalSize;
      if (total > MAX_SLIDE_XML_BYTES) throw new Error('slides too large');
      return true;
    },
  });
  const slideNumber = (name: string) => Number(SLIDE.exec(name)?.[1]);
  return Object.entries(files)
    .sort(([a], [b]) => slideNumber(a) - slideNumber(b))
    .map(([, xml]) => slideText(utf8(xml)))
    .join('\n\n');
}

function slideText(xml: string): string {
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
