import type { IncomingMessage } from 'node:http';
import busboy, { type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import { ApiError } from './http';

export interface MultipartForm {
  fields: Record<string, string>;
  /** A file's bytes as they arrived: joining them would copy every upload once more. */
  files: Record<string, { filename: string; chunks: Buffer[]; size: number }>;
}

/**
 * Parses multipart as it streams in, whatever the boundary (undici's `----formdata-undici-…` or the SDK's
 * `openai-…`) and whether or not the body has a content-length. Fields may follow the file part: the SDK
 * writes them in the order of the `create()` arguments.
 */
export function parseMultipart(req: IncomingMessage): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = busboy({ headers: req.headers as BusboyHeaders });
    } catch {
      return reject(new ApiError(400, 'Expected a multipart/form-data request body.'));
    }
    const malformed = (err: unknown) => reject(new ApiError(400, `Malformed multipart body: ${err}`));
    const fields: MultipartForm['fields'] = {};
    const parts: { name: string; filename: string; chunks: Buffer[] }[] = [];
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, filename) => {
      const part = { name, filename, chunks: [] as Buffer[] };
      parts.push(part);
      stream.on('data', (chunk: Buffer) => part.chunks.push(chunk));
      // Busboy also fails the open part when a body ends mid-file; unheard, that would crash the process.
      stream.on('error', malformed);
    });
    parser.on('finish', () => {
      const files = Object.fromEntries(
        parts.map(({ name, filename, chunks }) => [
          name,
          { filename, chunks, size: chunks.reduce((sum, chunk) => sum + chunk.length, 0) },
        ]),
      );
      resolve({ fields, files });
    });
    parser.on('error', malformed);
    // A client that dies mid-upload leaves busboy waiting forever; settle so nothing is stored.
    req.on('close', () => {
      if (!req.complete) reject(new ApiError(400, 'The upload was interrupted.'));
    });
    req.pipe(parser);
  });
}
