// @ts-check
// The extraction sandbox's entry: `node --max-old-space-size=N worker.mjs`, started by
// ../extract.ts once per document, with its request on stdin and its passages on stdout (the
// protocol is in ./protocol.mjs). It parses hostile files, so it runs with no environment and is
// killed from outside when it overruns its memory or time; nothing here needs to be trusted.
import { readFile } from 'node:fs/promises';
import { chunkPages, chunkText } from './chunk.mjs';
import { extractText } from './extractors.mjs';
import { DocumentTooComplex } from './protocol.mjs';

/** Passages written to stdout at once: fewer, larger writes to the pipe. */
const BATCH_BYTES = 64 * 1024;

/** @param {import('./protocol.mjs').ExtractionEnd} end */
function finish(end) {
  process.stdout.write(`${JSON.stringify(end)}\n`, () => process.exit(0));
}

/** @param {unknown} err */
function failure(err) {
  // An allocation V8 refuses (a buffer or a string past its maximum) is a document too large for
  // the sandbox, like the heap limit that would otherwise end it.
  const tooComplex = err instanceof DocumentTooComplex || err instanceof RangeError;
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  return /** @type {const} */ ({ error: tooComplex ? 'document_too_complex' : 'extraction_failed' });
}

async function readRequest() {
  /** @type {Buffer[]} */
  const parts = [];
  for await (const part of process.stdin) parts.push(part);
  return /** @type {import('./protocol.mjs').ExtractionRequest} */ (
    JSON.parse(Buffer.concat(parts).toString())
  );
}

async function main() {
  const request = await readRequest();
  // A backstop for an orphan whose web process died, well behind that process's own kill timer,
  // which is the limit.
  setTimeout(() => process.exit(3), request.timeoutMs * 2).unref();
  let batch = '';
  try {
    const text = await extractText(request.kind, await readFile(request.file), request);
    /** @type {import('./protocol.mjs').PassageLine[]} */
    const passages = typeof text === 'string' ? chunkText(text) : chunkPages(text);
    for (const passage of passages) {
      batch += `${JSON.stringify(passage)}\n`;
      if (batch.length >= BATCH_BYTES) {
        process.stdout.write(batch);
        batch = '';
      }
    }
  } catch (err) {
    return finish(failure(err));
  }
  process.stdout.write(batch);
  finish({ done: true });
}

main().catch((err) => finish(failure(err)));
