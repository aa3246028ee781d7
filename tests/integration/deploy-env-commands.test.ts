import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_DURABLE_STORE } from '@/lib/deploy-env';
import { budgetFor, runScript } from '@/tests/support/commands';

const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-deploy-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A Vercel environment with nothing configured: every variable a deployment needs is blank.
const bare = {
  DATABASE_DRIVER: '',
  DATABASE_URL: '',
  PGLITE_DIR: path.join(tmp, 'db'),
  FILE_STORAGE_DIR: path.join(tmp, 'files'),
  AUTH_SECRET: '',
  OPENAI_API_KEY: '',
  AZURE_OPENAI_ENDPOINT: '',
  AZURE_OPENAI_API_KEY: '',
  FILE_STORE: '',
  CRON_SECRET: '',
  VERCEL: '',
};

const listed = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('  - '));

describe('the operator commands check the environment before anything else', () => {
  it('`db:migrate` on Vercel without DATABASE_URL fails loudly, with the whole list', {
    timeout: budgetFor(1),
  }, async () => {
    const { code, stderr } = await runScript('db:migrate', [], { ...bare, VERCEL: '1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: Mini-chat \(migrate\) cannot start; fix the environment:/m);
    const lines = listed(stderr);
    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).toMatch(/DATABASE_URL is not set/);
    expect(lines).toContain(`  - ${NO_DURABLE_STORE}`);
    expect(stderr).not.toMatch(/migrations applied/);
  });

  it('`db:migrate --deploy` (vercel-build) applies the same rules off Vercel', {
    timeout: budgetFor(1),
  }, async () => {
    const { code, stderr } = await runScript('db:migrate', ['--deploy'], {
      ...bare,
      AUTH_SECRET: 'x'.repeat(40),
      OPENAI_API_KEY: 'sk-test',
      CRON_SECRET: 'y'.repeat(20),
    });
    expect(code).toBe(1);
    expect(listed(stderr)).toEqual([expect.stringMatching(/^ {2}- DATABASE_URL is not set/)]);
  });

  it('the worker names a bad setting together with the missing ones', { timeout: budgetFor(1) }, async () => {
    const { code, stdout, stderr } = await runScript('worker', [], {
      ...bare,
      VERCEL: '1',
      UPLOAD_MAX_IMAGE_MB: '0',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = listed(stderr);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/Invalid upload configuration: UPLOAD_MAX_IMAGE_MB/);
  });

  it('an S3 store missing its region is named in the same list', { timeout: budgetFor(1) }, async () => {
    const { code, stderr } = await runScript('worker', [], {
      ...bare,
      FILE_STORE: 's3',
      S3_BUCKET: 'files',
    });
    expect(code).toBe(1);
    expect(listed(stderr)).toEqual([
      expect.stringMatching(
        /^ {2}- Invalid S3 file store configuration: S3_REGION: Required when FILE_STORE=s3/,
      ),
    ]);
  });

  it('a machine of its own migrates its embedded database as before', { timeout: budgetFor(1) }, async () => {
    const { code, stderr } = await runScript('db:migrate', [], bare);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/migrations applied \(pglite\)/);
  });
});
