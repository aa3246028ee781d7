import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetFor, runScript } from '@/tests/support/commands';

const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-worker-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The commands' wiring, on a PGlite folder of their own whatever the suite's driver: on a shared
// Postgres database they would drain and sweep other test files' rows.
const env = {
  DATABASE_DRIVER: 'pglite',
  DATABASE_URL: '',
  PGLITE_DIR: path.join(tmp, 'db'),
  FILE_STORAGE_DIR: path.join(tmp, 'files'),
  OPENAI_API_KEY: '',
  AZURE_OPENAI_ENDPOINT: '',
};
async function run(script: string, args: string[] = []) {
  const result = await runScript(script, args, env);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('worker commands', () => {
  it('`worker` runs one pass and prints what it did', { timeout: budgetFor(1) }, async () => {
    const { stdout } = await run('worker', ['--max-seconds', '5']);
    expect(JSON.parse(stdout)).toEqual({
      reaped: {
        orphanTurns: 0,
        interrupted: 0,
        expiredUploads: 0,
        settled: 0,
        resumed: 0,
        pruned: 0,
        authPruned: 0,
      },
      drained: { completed: 0, retried: 0, dead: 0, lost: 0 },
    });
  });

  it('`reconcile --dry-run` reports per provider and skips the unconfigured ones', {
    timeout: budgetFor(1),
  }, async () => {
    const { stdout } = await run('reconcile', ['--dry-run']);
    expect(JSON.parse(stdout)).toMatchObject({
      dry_run: true,
      providers: {
        openai: { skipped: 'not configured' },
        azure: { skipped: 'not configured' },
        local: { files: { scanned: 0 }, vector_stores: { scanned: 0 } },
      },
    });
  });
});
