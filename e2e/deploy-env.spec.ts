import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { NO_DURABLE_STORE } from '@/lib/deploy-env';

/** Free while the specs run (they hold the e2e lock); nothing should ever listen here for long. */
const PORT = 3197;

test('`next start` on Vercel without a durable file store refuses to start, saying what to set', async () => {
  test.setTimeout(90_000);
  const server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(PORT)], {
    env: {
      ...process.env,
      VERCEL: '1',
      NODE_ENV: 'production',
      AUTH_SECRET: 'a-secret-for-this-test-only-000000000000',
      // Never contacted: the check comes before any connection.
      DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
      CRON_SECRET: 'a-cron-secret-for-this-test',
      OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: '',
      AZURE_OPENAI_API_KEY: '',
      FILE_STORE: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout.on('data', (chunk) => (output += chunk));
  server.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  const code = await Promise.race([
    exited,
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 60_000)),
  ]);
  if (code === 'running') server.kill('SIGKILL');

  expect(code, output).toBe(1);
  const list = output.split('\n').filter((line) => line.startsWith('  - '));
  expect(output).toContain('Mini-chat (server) cannot start; fix the environment:');
  expect(list).toEqual([`  - ${NO_DURABLE_STORE}`]);
});
