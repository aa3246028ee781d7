import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { authenticateToken } from '@/lib/auth/tokens';
import { openDatabase } from '@/lib/db/client';
import { acquireFolderLock } from '@/lib/db/pglite-lock';
import { getDb } from '@/lib/runtime';

const run = promisify(execFile);
const driver = inject('testDriver');
const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The operator commands run exactly as documented, against this run's database. */
function npmRun(script: string, args: string[], env: Record<string, string | undefined>) {
  return run('npm', ['run', '-s', script, '--', ...args], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

const databaseEnv = (pgliteDir: string): Record<string, string | undefined> =>
  driver === 'pglite'
    ? { DATABASE_DRIVER: 'pglite', PGLITE_DIR: pgliteDir, DATABASE_URL: '' }
    : { DATABASE_DRIVER: driver, DATABASE_URL: inject('databaseUrl'), NEON_WS_PROXY: inject('neonWsProxy') };

describe(`operator commands on ${driver}`, () => {
  it('create a user, then print only a working token', async () => {
    const dir = path.join(tmp, 'ok');
    const env = databaseEnv(dir);
    const email = `cli-${Date.now()}@example.test`;
    const created = await npmRun(
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

    const again = await npmRun(
      'user:create',
      ['--email', email, '--password', 'long enough password', '--tenant', 'x'],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('An account with this email already exists.');

    const token = await npmRun('token:create', ['--email', email], env);
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

    const unknown = await npmRun('token:create', ['--email', 'nobody@example.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
  });

  it('explain their arguments', async () => {
    const res = await npmRun(
      'user:create',
      ['--email', 'x@example.test'],
      databaseEnv(path.join(tmp, 'usage')),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('usage: npm run -s user:create');
  });

  // The guard is PGlite's own, so it is checked on a PGlite folder whichever driver this run is on.
  it('refuse a PGlite folder held by a running server', async () => {
    const dir = path.join(tmp, 'held');
    const release = acquireFolderLock(dir);
    try {
      const res = await npmRun(
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
