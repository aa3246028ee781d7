// @ts-check
// Shared by the web process (../extract.ts) and the sandbox process (./worker.mjs): plain
// JavaScript, since the sandbox runs under a bare `node` with no TypeScript loader.

/** @typedef {'text' | 'html' | 'pdf' | 'docx' | 'pptx'} DocumentKind */

// CSV is indexed as plain text (the attachment service stores it as .txt anyway).
const PLAIN_TEXT = ['txt', 'md', 'json', 'csv', 'py', 'java', 'js', 'ts', 'rs', 'go', 'cs', 'rb', 'sql'];

/** @type {ReadonlyMap<string, DocumentKind>} */
const KINDS = new Map([
  ...PLAIN_TEXT.map((ext) => /** @type {[string, DocumentKind]} */ ([ext, 'text'])),
  ['html', 'html'],
  ['pdf', 'pdf'],
  ['docx', 'docx'],
  ['pptx', 'pptx'],
]);

/**
 * How a stored file's text is extracted, by its name's extension; undefined when it is not indexable.
 * @param {string} fileName
 * @returns {DocumentKind | undefined}
 */
export function documentKind(fileName) {
  const dot = fileName.lastIndexOf('.');
  return KINDS.get(dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase());
}

/**
 * What the web process sends the sandbox on its stdin, as JSON.
 * @typedef {object} ExtractionRequest
 * @property {string} file Absolute path of the stored file.
 * @property {DocumentKind} kind
 * @property {number} maxUnpackedBytes Bytes an archive may inflate to, counted as they are produced.
 * @property {number} maxTextBytes UTF-8 bytes of extracted text.
 * @property {number} timeoutMs The sandbox's own deadline, behind the web process's kill timer.
 */

/**
 * The sandbox answers on stdout with one JSON value per line: each passage, then one object that
 * ends the answer. Without that last line the sandbox died (or was killed).
 * @typedef {{ done: true } | { error: 'extraction_failed' | 'document_too_complex' }} ExtractionEnd
 */

/** A page count no honest upload within the size limit reaches; past it, pdf.js is not asked for text. */
export const MAX_PDF_PAGES = 10_000;

/**
 * A passage: its text, or for a paged document (PDF) its text and the page it starts on (from 1).
 * @typedef {string | { text: string, page: number }} PassageLine
 */

/** A limit on memory, unpacked bytes, text or pages was reached: the file is refused, not retried. */
export class DocumentTooComplex extends Error {
  /** @param {string} message what was exceeded (for logs only) */
  constructor(message) {
    super(message);
    this.name = 'DocumentTooComplex';
  }
}
