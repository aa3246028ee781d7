// @ts-check
import { Unzip, UnzipInflate } from 'fflate';
import { DocumentTooComplex } from './protocol.mjs';

/**
 * Compressed bytes handed to the inflater at a time. DEFLATE expands at most about 1032:1, so one
 * slice inflates to at most ~4 MiB before the count below is looked at again.
 */
const SLICE_BYTES = 4096;
const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

/**
 * The entries of a ZIP archive that `wanted` names, inflated. The sizes an archive declares (in its
 * local headers or its central directory) are never trusted: the bytes the inflater actually
 * produces are counted, all entries together, and past `maxBytes` it stops with
 * DocumentTooComplex. Entries not wanted are never inflated.
 * @param {Uint8Array} archive
 * @param {(name: string) => boolean} wanted
 * @param {number} maxBytes
 * @returns {Map<string, Uint8Array>}
 */
export function unzipCapped(archive, wanted, maxBytes) {
  // Read front to back, the archive is found by its first local header: anything else is not one.
  if (!LOCAL_HEADER.every((byte, i) => archive[i] === byte)) throw new Error('not a ZIP archive');
  let inflated = 0;
  /** @type {unknown} */
  let failure;
  /** @type {Map<string, Uint8Array[]>} */
  const parts = new Map();
  const unzip = new Unzip((file) => {
    if (!wanted(file.name)) return;
    /** @type {Uint8Array[]} */
    const chunks = [];
    parts.set(file.name, chunks);
    file.ondata = (err, data) => {
      if (failure) return;
      if (err) {
        failure = err;
        return;
      }
      inflated += data.length;
      if (inflated > maxBytes) {
        failure = new DocumentTooComplex(`archive inflates past ${maxBytes} bytes`);
        return;
      }
      chunks.push(data);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for (let offset = 0; offset < archive.length; offset += SLICE_BYTES) {
    unzip.push(archive.subarray(offset, offset + SLICE_BYTES), offset + SLICE_BYTES >= archive.length);
    if (failure) throw failure;
  }
  return new Map(Array.from(parts, ([name, chunks]) => [name, concat(chunks)]));
}

/** @param {Uint8Array[]} chunks */
function concat(chunks) {
  if (chunks.length === 1) return /** @type {Uint8Array} */ (chunks[0]);
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
