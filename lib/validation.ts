import type { z } from 'zod';
import { validationError } from './errors';

type Issue = { field: string; message: string };

const fieldName = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';

/**
 * Postgres cannot store U+0000 in a text column: a NUL that got past validation would fail the
 * insert as a 500. Every string of a parsed input is checked, so no schema has to remember it.
 */
function nulIssues(value: unknown, path: PropertyKey[], into: Issue[]): Issue[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      const field = fieldName(path);
      into.push({ field, message: `${field} must not contain the NUL character (U+0000).` });
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) nulIssues(item, [...path, i], into);
  } else if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const [key, item] of Object.entries(value)) nulIssues(item, [...path, key], into);
  }
  return into;
}

/**
 * Parses with a zod schema and turns failures into the domain's validation error, field by field.
 * A string anywhere in the parsed value that holds NUL is refused the same way.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  const errors = result.success
    ? nulIssues(result.data, [], [])
    : result.error.issues.map((issue) => ({ field: fieldName(issue.path), message: issue.message }));
  if (errors.length === 0) return result.data as z.output<T>;
  throw validationError(errors.map((e) => e.message).join(' '), errors);
}
