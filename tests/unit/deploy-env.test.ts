import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationDatabaseConfig, resolveDatabaseConfig } from '@/lib/db/client';
import { assertDeployEnv, deployProblems, NO_DURABLE_STORE, scheduledCrons } from '@/lib/deploy-env';
import vercelConfig from '@/vercel.json' with { type: 'json' };

/** What a complete Vercel deployment sets. */
const COMPLETE = {
  VERCEL: '1',
  AUTH_SECRET: 'a-secret-of-enough-length-for-cookies-000',
  DATABASE_URL: 'postgres://app@ep-x-pooler.eu-central-1.aws.neon.tech/app',
  OPENAI_API_KEY: 'sk-test',
  CRON_SECRET: 'cron-secret-0000000000',
};
const without = (...names: string[]) =>
  Object.fromEntries(Object.entries(COMPLETE).filter(([name]) => !names.includes(name)));

describe('the deployment environment', () => {
  it('accepts a complete Vercel deployment, with any durable store', () => {
    expect(deployProblems(COMPLETE)).toEqual([]);
    const store = without('OPENAI_API_KEY');
    expect(
      deployProblems({
        ...store,
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        AZURE_OPENAI_API_KEY: 'k',
      }),
    ).toEqual([]);
    expect(deployProblems({ ...store, FILE_STORE: 's3', S3_BUCKET: 'files' })).toEqual([]);
  });

  it('refuses Vercel without a durable store, with the sentence that says what to set', () => {
    expect(deployProblems(without('OPENAI_API_KEY'))).toEqual([NO_DURABLE_STORE]);
    expect(NO_DURABLE_STORE).toMatch(
      /Set OPENAI_API_KEY .*AZURE_OPENAI_ENDPOINT.*FILE_STORE=s3 with S3_BUCKET/,
    );
    // A blank key is no key; S3 without its bucket is no store.
    expect(deployProblems({ ...COMPLETE, OPENAI_API_KEY: '  ' })).toContain(NO_DURABLE_STORE);
    expect(deployProblems({ ...without('OPENAI_API_KEY'), FILE_STORE: 's3' })).toContain(NO_DURABLE_STORE);
    // The store reads FILE_STORE exactly as written (lib/file-stores/s3/config.ts): `S3` is no store.
    expect(deployProblems({ ...without('OPENAI_API_KEY'), FILE_STORE: 'S3', S3_BUCKET: 'files' })).toContain(
      NO_DURABLE_STORE,
    );
  });

  it('lists everything missing at once, one line each, naming each variable', () => {
    const problems = deployProblems({ VERCEL: '1' });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^AUTH_SECRET is not set/);
    expect(problems[1]).toMatch(/^DATABASE_URL is not set/);
    expect(problems[2]).toBe(NO_DURABLE_STORE);
    expect(problems[3]).toMatch(/^CRON_SECRET is not set: vercel.json schedules \/api\/cron\/outbox and/);
    expect(() => assertDeployEnv('server', { VERCEL: '1' })).toThrow(
      /^Mini-chat \(server\) cannot start; fix the environment:\n {2}- AUTH_SECRET.*\n {2}- DATABASE_URL.*\n {2}- No durable file store.*\n {2}- CRON_SECRET/,
    );
  });

  it('names what is inconsistent', () => {
    expect(deployProblems({ ...COMPLETE, DATABASE_DRIVER: 'pglite' })).toEqual([
      expect.stringMatching(/^DATABASE_DRIVER=pglite keeps the database on the function’s disk/),
    ]);
    // These hold everywhere, not only on Vercel.
    expect(deployProblems({ FILE_STORE: 's3' })).toEqual([
      expect.stringMatching(/^FILE_STORE=s3 needs S3_BUCKET/),
    ]);
    expect(deployProblems({ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' })).toEqual([
      expect.stringMatching(/^AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY go together/),
    ]);
  });

  it('leaves a machine of its own to its local defaults, unless asked for the deployment rules', () => {
    expect(deployProblems({})).toEqual([]);
    expect(deployProblems({ NODE_ENV: 'production' })).toEqual([]);
    expect(deployProblems({}, { deploy: true })).toHaveLength(4);
    expect(deployProblems({ VERCEL: '' })).toEqual([]);
  });
});

describe("Neon's two connection strings", () => {
  const pooled = 'postgres://app:pw@ep-cool-1-pooler.eu-central-1.aws.neon.tech/app';
  const direct = 'postgres://app:pw@ep-cool-1.eu-central-1.aws.neon.tech/app';

  it('serves requests through the pooled one and migrates through the direct one', () => {
    const env = { DATABASE_URL: pooled, DATABASE_URL_UNPOOLED: direct };
    expect(resolveDatabaseConfig(env)).toMatchObject({ driver: 'neon', url: pooled });
    expect(migrationDatabaseConfig(env)).toMatchObject({ driver: 'neon', url: direct });
    // Without a direct one, migrations take what the app uses.
    expect(migrationDatabaseConfig({ DATABASE_URL: pooled })).toMatchObject({ url: pooled });
  });
});

describe('vercel.json', () => {
  const routeFile = (urlPath: string) => path.join('app', urlPath, 'route.ts');

  it('schedules crons that deploy on the Hobby plan: at most two, each at most daily', () => {
    const crons = scheduledCrons();
    expect(crons.length).toBeGreaterThan(0);
    expect(crons.length).toBeLessThanOrEqual(2);
    for (const { schedule } of crons) {
      const [minute, hour] = schedule.split(' ');
      expect(minute, schedule).toMatch(/^\d+$/);
      expect(hour, schedule).toMatch(/^\d+$/);
    }
  });

  it('schedules only routes that exist and demand CRON_SECRET', () => {
    for (const { path: urlPath } of scheduledCrons()) {
      const source = readFileSync(routeFile(urlPath), 'utf8');
      expect(source, urlPath).toMatch(/export const GET = secretRoute\('CRON_SECRET'/);
    }
  });

  it('sets maxDuration on route files that exist, agreeing with their own export', () => {
    const functions: Record<string, { maxDuration?: number }> = vercelConfig.functions;
    // A pattern that matches no function fails the deployment.
    for (const [file, settings] of Object.entries(functions)) {
      expect(existsSync(file), file).toBe(true);
      const own = readFileSync(file, 'utf8').match(/export const maxDuration = (\d+)/);
      // A route's own export wins over vercel.json: two different figures would mislead.
      if (own) expect(Number(own[1]), file).toBe(settings.maxDuration);
    }
    for (const route of [
      'chats/[id]/attachments',
      'chats/[id]/messages',
      'chats/[id]/turns/[requestId]/retry',
    ]) {
      expect(functions[routeFile(`/api/${route}`)]?.maxDuration, route).toBeGreaterThanOrEqual(60);
    }
    // Where sharp makes thumbnails, the route says Node outright.
    for (const route of ['chats/[id]/attachments', 'uploads/[uploadId]/complete']) {
      expect(readFileSync(routeFile(`/api/${route}`), 'utf8'), route).toMatch(
        /export const runtime = 'nodejs'/,
      );
    }
  });
});
