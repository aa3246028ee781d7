import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { authenticateToken } from '@/lib/auth/tokens';
import type { Db } from '@/lib/db';
import { openDatabase } from '@/lib/db/client';
import { acquireFolderLock } from '@/lib/db/pglite-lock';
import type { AppError } from '@/lib/errors';
import { getDb } from '@/lib/runtime';
import { budgetFor, runScript } from '@/tests/support/commands';

const driver = inject('testDriver');
const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const databaseEnv = (pgliteDir: string): Record<string, string | undefined> =>
  driver === 'pglite'
    ? { DATABASE_DRIVER: 'pglite', PGLITE_DIR: pgliteDir, DATABASE_URL: '' }
    : { DATABASE_DRIVER: driver, DATABASE_URL: inject('databaseUrl'), NEON_WS_PROXY: inject('neonWsProxy') };

/** Runs `fn` on the database the commands use (on PGlite, the folder is opened and closed around it). */
async function withDatabase<T>(pgliteDir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  if (driver !== 'pglite') return fn(await getDb());
  const database = await openDatabase({ driver, pgliteDir });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

describe(`operator commands on ${driver}`, () => {
  // Four commands one after another, the first on a new folder.
  it('create a user, then print only a working token', { timeout: budgetFor(4) }, async () => {
    const dir = path.join(tmp, 'ok');
    const env = databaseEnv(dir);
    const email = `cli-${Date.now()}@example.test`;
    const created = await runScript(
      'user:create',
      [
        '--email',
        email,
        '--password',
        'long enough password',
        '--tenant',
        `cli-${Date.now()}`,
        '--role',
        'admin',
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email, role: 'admin' });

    const again = await runScript(
      'user:create',
      ['--email', email, '--password', 'long enough password', '--tenant', 'x'],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('An account with this email already exists.');

    const token = await runScript('token:create', ['--email', email], env);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^mct_[\w-]{43}\n$/);

    // The token authenticates against the same database the command wrote to.
    const database = driver === 'pglite' ? await openDatabase({ driver, pgliteDir: dir }) : undefined;
    try {
      const caller = await authenticateToken(database?.db ?? (await getDb()), token.stdout.trim());
      expect(caller?.role).toBe('admin');
    } finally {
      await database?.close();
    }

    const unknown = await runScript('token:create', ['--email', 'nobody@example.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
  });

  // Six commands and as many openings of the folder.
  it('unlock an account, and disable and enable a user', { timeout: budgetFor(6) }, async () => {
    const dir = path.join(tmp, 'lock');
    const env = databaseEnv(dir);
    const email = `locked-${Date.now()}@example.test`;
    const password = 'long enough password';
    const created = await runScript(
      'user:create',
      ['--email', email, '--password', password, '--tenant', `lock-${Date.now()}`],
      env,
    );
    expect(created.code, created.stderr).toBe(0);

    const rule = { maxAttempts: 2, lockMs: 600_000, maxLockMs: 600_000, forgetAfterMs: 600_000 };
    const signIn = (pw: string) =>
      withDatabase(dir, (db) =>
        signInWithPassword(
          db,
          { account: rule, address: { ...rule, maxAttempts: 100 } },
          {
            email,
            password: pw,
            clientAddress: '192.0.2.1',
          },
        ).then(
          (user) => (user ? 'ok' : 'wrong'),
          (err: AppError) => err.code,
        ),
      );
    expect([await signIn('wrong'), await signIn('wrong'), await signIn(password)]).toEqual([
      'wrong',
      'wrong',
      'too_many_attempts',
    ]);
    const unlocked = await runScript('user:unlock', ['--email', email.toUpperCase()], env);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toEqual({ email: email.toUpperCase(), unlocked: true });
    expect(await signIn(password)).toBe('ok');

    const disabled = await runScript('user:disable', ['--email', email], env);
    expect(JSON.parse(disabled.stdout)).toEqual({ email, disabled: true, changed: true });
    expect(await signIn(password)).toBe('wrong');
    const enabled = await runScript('user:enable', ['--email', email], env);
    expect(JSON.parse(enabled.stdout)).toEqual({ email, disabled: false, changed: true });
    expect(await signIn(password)).toBe('ok');

    const usage = await runScript('user:unlock', [], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run -s user:unlock -- --email E');
  });

  it('explain their arguments', { timeout: budgetFor(1) }, async () => {
    const res = await runScript(
      'user:create',
      ['--email', 'x@example.test'],
      databaseEnv(path.join(tmp, 'usage')),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('usage: npm run -s user:create');
  });

  // The guard is PGlite's own, so it is checked on a PGlite folder whichever driver this run is on.
  it('refuse a PGlite folder held by a running server', { timeout: budgetFor(1) }, async () => {
    const dir = path.join(tmp, 'held');
    const release = acquireFolderLock(dir);
    try {
      const res = await runScript(
        'user:create',
        ['--email', 'a@example.test', '--password', 'long enough', '--tenant', 'a'],
        {
          DATABASE_DRIVER: 'pglite',
          PGLITE_DIR: dir,
        },
      );
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        `The database folder ${dir} is in use by process ${process.pid}; stop it or set DATABASE_URL`,
      );
    } finally {
      release();
    }
  });
});
