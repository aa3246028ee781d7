import type { IncomingMessage } from 'node:http';
import busboy, { type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import { ApiError } from './http';

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, { filename: string; data: Buffer }>;
}

/**
 * Parses multipart as it streams in, whatever the boundary (undici's `----formdata-undici-…` or the SDK's
 * `openai-…`) and whether or not the body has a content-length. Fields may follow the file part: the SDK
 * writes them in the order of the `create()` arguments.
 */
export function parseMultipart(req: IncomingMessage): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      // Node discards an unread body by itself, but not one that something started reading; without this
      // the rest of a malformed upload would stall the keep-alive connection.
      req.unpipe();
      req.resume();
      reject(new ApiError(400, message));
    };
    let parser: BusboyInstance;
    try {
      parser = busboy({ headers: req.headers as BusboyHeaders });
    } catch {
      return fail('Expected a multipart/form-data request body.');
    }
    const fields: MultipartForm['fields'] = {};
    const parts: { name: string; filename: string; chunks: Buffer[] }[] = [];
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, filename) => {
      const part = { name, filename, chunks: [] as Buffer[] };
      parts.push(part);
      stream.on('data', (chunk: Buffer) => part.chunks.push(chunk));
    });
    parser.on('finish', () => {
      const files = Object.fromEntries(
        parts.map(({ name, filename, chunks }) => [name, { filename, data: Buffer.concat(chunks) }]),
      );
      resolve({ fields, files });
    });
    parser.on('error', (err) => fail(`Malformed multipart body: ${err}`));
    // A client that dies mid-upload leaves busboy waiting forever; settle so nothing is stored.
    req.on('close', () => {
      if (!req.complete) reject(new ApiError(400, 'The upload was interrupted.'));
    });
    req.pipe(parser);
  });
}
