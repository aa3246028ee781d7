import { describe, expect, it } from 'vitest';
import { modelProviders, openaiModel } from '@/lib/models/catalog';
import { fallbackFileStore, fileStoreOf } from '@/lib/models/file-store';

describe('the file store a model uses', () => {
  it('is the provider’s own for OpenAI and Azure, and our index for the others', () => {
    const stores = modelProviders.map((provider) => [
      provider,
      fileStoreOf({ ...openaiModel('m', 'M', 1_000), provider }),
    ]);
    expect(stores).toEqual([
      ['offline', 'local'],
      ['openai', 'openai'],
      ['azure', 'azure'],
      ['openai-compatible', 'local'],
    ]);
  });

  it('is OpenAI’s for a chat whose model is gone when a key is set, else ours', () => {
    expect(fallbackFileStore({ OPENAI_API_KEY: 'sk-test' })).toBe('openai');
    expect(fallbackFileStore({ OPENAI_API_KEY: '  ' })).toBe('local');
    expect(fallbackFileStore({})).toBe('local');
  });
});
