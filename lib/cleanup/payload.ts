import type { z } from 'zod';
import { GiveUp } from '@/lib/outbox/jobs';

/** A payload no retry can fix dead-letters its job at once. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new GiveUp(`invalid payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
