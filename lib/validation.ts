import type { z } from 'zod';
import { validationError } from './errors';

/** Parses with a zod schema and turns failures into the domain's validation error, field by field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  throw validationError(errors.map((e) => e.message).join(' '), errors);
}
