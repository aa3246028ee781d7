import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { authenticateToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';
import { openDatabase } from '@/lib/db/client';
import { acquireFolderLock } from '@/lib/db/pglite-lock';
import { budgetFor, runScript } from '@/tests/support/commands';

const driver = inject('testDriver');
const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const databaseEnv = (pgliteDir: string): Record<string, string | undefined> =>
  driver === 'pglite'
    ? { DATABASE_DRIVER: 'pglite', PGLITE_DIR: pgliteDir, DATABASE_URL: '' }
    : { DATABASE_DRIVER: driver, DATABASE_URL: inject('databaseUrl'), NEON_WS_PROXY: inject('neonWsProxy') };

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
