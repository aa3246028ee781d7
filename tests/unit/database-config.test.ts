import { describe, expect, it } from 'vitest';
import { resolveDatabaseConfig } from '@/lib/db/client';

describe('choosing the database driver', () => {
  it('defaults to the embedded PGlite folder when nothing is configured', () => {
    expect(resolveDatabaseConfig({})).toEqual({ driver: 'pglite', pgliteDir: '.data/pglite' });
    expect(resolveDatabaseConfig({ DATABASE_URL: '  ', PGLITE_DIR: '/tmp/x' })).toEqual({
      driver: 'pglite',
      pgliteDir: '/tmp/x',
    });
  });

  it('uses node-postgres for a postgres:// URL', () => {
    expect(resolveDatabaseConfig({ DATABASE_URL: 'postgres://u@db.example.com:5432/app' })).toMatchObject({
      driver: 'pg',
      url: 'postgres://u@db.example.com:5432/app',
    });
  });

  it('uses the Neon driver for a Neon host or when asked to', () => {
    const neonUrl = 'postgresql://u:p@ep-cool-pond-123.eu-central-1.aws.neon.tech/neondb?sslmode=require';
    expect(resolveDatabaseConfig({ DATABASE_URL: neonUrl }).driver).toBe('neon');
    expect(
      resolveDatabaseConfig({
        DATABASE_URL: 'postgres://u@127.0.0.1/app',
        DATABASE_DRIVER: 'neon',
        NEON_WS_PROXY: '127.0.0.1:9999',
      }),
    ).toEqual({ driver: 'neon', url: 'postgres://u@127.0.0.1/app', neonWsProxy: '127.0.0.1:9999' });
    // A host that merely contains the word is not Neon.
    expect(resolveDatabaseConfig({ DATABASE_URL: 'postgres://u@neon.tech.example.com/app' }).driver).toBe(
      'pg',
    );
  });

  it('lets DATABASE_DRIVER force a driver, and explains bad settings', () => {
    expect(
      resolveDatabaseConfig({ DATABASE_URL: 'postgres://u@h/app', DATABASE_DRIVER: 'pglite' }).driver,
    ).toBe('pglite');
    expect(() => resolveDatabaseConfig({ DATABASE_DRIVER: 'mysql' })).toThrow(/pglite, pg or neon/);
    expect(() => resolveDatabaseConfig({ DATABASE_DRIVER: 'pg' })).toThrow(/needs DATABASE_URL/);
    expect(() => resolveDatabaseConfig({ DATABASE_URL: 'not a url' })).toThrow(/not a valid/);
  });
});
