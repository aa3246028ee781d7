import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadEnv } from '@/lib/env';

const schema = z.object({
  LIMIT_MB: z.coerce.number().int().positive().default(25),
  STORAGE_DIR: z.string().default('.data/files'),
  FLAG: z.enum(['true', 'false']).optional(),
});

describe('loading a configuration from the environment', () => {
  it('takes the defaults for unset, empty and blank variables, and trims the others', () => {
    expect(loadEnv(schema, 'test', {})).toEqual({ LIMIT_MB: 25, STORAGE_DIR: '.data/files' });
    expect(loadEnv(schema, 'test', { LIMIT_MB: '', STORAGE_DIR: '   ', FLAG: undefined })).toEqual({
      LIMIT_MB: 25,
      STORAGE_DIR: '.data/files',
    });
    expect(loadEnv(schema, 'test', { LIMIT_MB: ' 7 ', STORAGE_DIR: ' /srv/files ', FLAG: 'true' })).toEqual({
      LIMIT_MB: 7,
      STORAGE_DIR: '/srv/files',
      FLAG: 'true',
    });
  });

  it('names the configuration, and every bad variable with its reason', () => {
    const load = () => loadEnv(schema, 'test', { LIMIT_MB: '0', FLAG: 'maybe', OTHER: 'ignored' });
    expect(load).toThrow(/^Invalid test configuration: LIMIT_MB: .*; FLAG: /);
    expect(load).toThrow(/expected number to be >0/);
  });

  it('reads the process environment unless given another', () => {
    vi.stubEnv('LIMIT_MB', '3');
    try {
      expect(loadEnv(schema, 'test').LIMIT_MB).toBe(3);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
