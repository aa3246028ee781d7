import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/**
 * Reads one configuration out of the environment with `schema`, whose keys are the variable
 * names. Values are trimmed, and a blank one counts as unset, so that `X=` in an env file or a
 * dashboard means the default. A bad value stops start-up naming the variable and the reason:
 * `Invalid <name> configuration: UPLOAD_MAX_IMAGE_MB: Too small: expected number to be >0`.
 */
export function loadEnv<S extends z.ZodType>(schema: S, name: string, env: Env = process.env): z.output<S> {
  const set = Object.fromEntries(
    Object.entries(env).flatMap(([key, value]) => (value?.trim() ? [[key, value.trim()]] : [])),
  );
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid ${name} configuration: ${problems}`);
  }
  return parsed.data;
}

/** A yes/no variable, in the spellings operators use. */
export const envFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
