import { z } from 'zod';

const MiB = 1024 * 1024;
const count = z.coerce.number().int().positive();

const envSchema = z.object({
  // Below this, a bare Node with pdf.js loaded has no room left to read anything.
  EXTRACT_MAX_MEMORY_MB: count.min(128).default(256),
  EXTRACT_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  EXTRACT_MAX_UNPACKED_MB: count.default(100),
  // Above the document upload limit (25 MB): a plain-text document that may be uploaded must index.
  EXTRACT_MAX_TEXT_MB: count.default(32),
  EXTRACT_MAX_CONCURRENT: count.max(32).default(2),
});

/** How far the local index's text extraction, in its sandbox process, may go for one document. */
export interface ExtractionLimits {
  /** The sandbox's resident memory, and its V8 heap. */
  maxMemoryMb: number;
  timeoutMs: number;
  /** Bytes inflated from an archive (DOCX, PPTX), counted as they are produced. */
  maxUnpackedBytes: number;
  /** UTF-8 bytes of extracted text. */
  maxTextBytes: number;
  /** Sandboxes running at once in this process; further documents wait for a turn. */
  maxConcurrent: number;
}

export function loadExtractionLimits(
  env: Record<string, string | undefined> = process.env,
): ExtractionLimits {
  // Empty variables count as unset, as in the other configurations.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) throw new Error(`Invalid extraction configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    maxMemoryMb: e.EXTRACT_MAX_MEMORY_MB,
    timeoutMs: e.EXTRACT_TIMEOUT_SECONDS * 1000,
    maxUnpackedBytes: e.EXTRACT_MAX_UNPACKED_MB * MiB,
    maxTextBytes: e.EXTRACT_MAX_TEXT_MB * MiB,
    maxConcurrent: e.EXTRACT_MAX_CONCURRENT,
  };
}
