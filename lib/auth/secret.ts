import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SECRET_FILE = path.join('.data', 'auth-secret');

/**
 * AUTH_SECRET signs the session cookies. A laptop with nothing configured still gets a stable
 * secret, made once and kept in .data/ (git-ignored); a deployment must set its own, because a
 * serverless file system does not keep it.
 */
export function resolveAuthSecret(env: Record<string, string | undefined> = process.env): string {
  const configured = env.AUTH_SECRET?.trim();
  if (configured) return configured;
  if (env.VERCEL) throw new Error('Set AUTH_SECRET (for example: openssl rand -base64 32).');
  try {
    return readFileSync(SECRET_FILE, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64');
    mkdirSync(path.dirname(SECRET_FILE), { recursive: true });
    writeFileSync(SECRET_FILE, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
