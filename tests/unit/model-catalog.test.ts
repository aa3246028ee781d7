import { describe, expect, it } from 'vitest';
import { buildCatalog, createModelCatalog, toModelView } from '@/lib/models/catalog';

describe('the model catalog', () => {
  it('is the keyless offline model alone when nothing is configured', () => {
    expect(buildCatalog({}).map((m) => [m.id, m.provider, m.enabled])).toEqual([
      ['offline', 'offline', true],
    ]);
  });

  it('adds the OpenAI models for a key, and an OpenAI-compatible model by name', () => {
    const catalog = buildCatalog({
      OPENAI_API_KEY: 'k',
      OPENAI_COMPATIBLE_MODEL: 'llama3.2',
      OPENAI_COMPATIBLE_CONTEXT_WINDOW: '16384',
    });
    expect(catalog.map((m) => m.id)).toEqual(['gpt-4.1-mini', 'gpt-4.1', 'llama3.2', 'offline']);
    expect(catalog.find((m) => m.id === 'llama3.2')).toMatchObject({
      provider: 'openai-compatible',
      providerModel: 'llama3.2',
      vision: false,
      fileSearch: true,
      contextWindow: 16_384,
    });
  });

  it('takes MODEL_CATALOG whole, with models enabled unless they say otherwise', () => {
    const entry = {
      id: 'm',
      displayName: 'M',
      provider: 'openai',
      providerModel: 'secret-deployment',
      vision: true,
      fileSearch: true,
      codeInterpreter: false,
      maxFileSizeMb: 10,
      contextWindow: 1000,
      maxOutputTokens: 100,
    };
    const catalog = buildCatalog({
      MODEL_CATALOG: JSON.stringify([entry, { ...entry, id: 'old', enabled: false }]),
    });
    expect(catalog.map((m) => [m.id, m.enabled])).toEqual([
      ['m', true],
      ['old', false],
    ]);
    expect(() => buildCatalog({ MODEL_CATALOG: JSON.stringify([{ id: 'x' }]) })).toThrow(
      /MODEL_CATALOG is invalid/,
    );
  });

  it('shows clients what a model can do, never its provider or provider model', () => {
    const [model] = buildCatalog({ OPENAI_API_KEY: 'k' });
    const view = toModelView(model as NonNullable<typeof model>);
    expect(view).toEqual({
      id: 'gpt-4.1-mini',
      display_name: 'GPT-4.1 mini',
      capabilities: ['vision', 'file_search', 'code_interpreter'],
      context_window: 1_047_576,
      max_file_size_mb: 25,
    });
  });

  it('finds enabled models for new chats and sends, any entry for files, and a default', () => {
    const entry = {
      displayName: 'M',
      provider: 'openai',
      providerModel: 'm',
      vision: true,
      fileSearch: true,
      codeInterpreter: false,
      maxFileSizeMb: 10,
      contextWindow: 1000,
      maxOutputTokens: 100,
    };
    const env: Record<string, string | undefined> = {
      MODEL_CATALOG: JSON.stringify([
        { ...entry, id: 'old', enabled: false },
        { ...entry, id: 'a' },
        { ...entry, id: 'b' },
      ]),
    };
    const catalog = createModelCatalog(env);
    expect(catalog.findModel('old')).toBeUndefined();
    expect(catalog.findEntry('old')?.id).toBe('old');
    expect(catalog.enabledModels().map((m) => m.id)).toEqual(['a', 'b']);
    expect(catalog.defaultModel().id).toBe('a');
    env.DEFAULT_MODEL = 'b';
    expect(catalog.defaultModel().id).toBe('b');
    env.DEFAULT_MODEL = 'old';
    expect(catalog.defaultModel().id).toBe('a');
  });
});
