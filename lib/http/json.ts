import { validationError } from '@/lib/errors';
import { readBody } from './body';

/**
 * Room for the largest valid body with plenty to spare: a message of MAX_CONTENT_CHARS (32,000)
 * UTF-16 units is at most 192,000 bytes of JSON even with every unit written as a `\uXXXX` escape
 * (more than any UTF-8 form: at most 3 bytes per unit), plus its 50 attachment ids.
 */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON body; an empty body is `undefined`, malformed JSON a validation error, and a body
 * over MAX_JSON_BODY_BYTES a 413 before it is read whole.
 */
export async function readJson(request: Request): Promise<unknown> {
  const text = new TextDecoder().decode(await readBody(request, MAX_JSON_BODY_BYTES));
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
