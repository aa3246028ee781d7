import { z } from 'zod';

/**
 * The models a chat can be created with. A chat's model is fixed at creation; its entry decides
 * which provider stores the chat's files, the per-file size cap, and which tools it can use.
 */
export const modelProviders = ['offline', 'openai', 'azure', 'openai-compatible'] as const;

const modelSchema = z.object({
  id: z.string().min(1).max(128),
  displayName: z.string().min(1),
  provider: z.enum(modelProviders),
  providerModel: z.string().min(1),
  vision: z.boolean(),
  fileSearch: z.boolean(),
  codeInterpreter: z.boolean(),
  maxFileSizeMb: z.number().positive(),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
});

export type ModelEntry = z.infer<typeof modelSchema>;

/** The keyless default: it answers from the chat's own documents, with no language model behind it. */
const OFFLINE: ModelEntry = {
  id: 'offline',
  displayName: 'Offline (no model)',
  provider: 'offline',
  providerModel: 'offline',
  vision: false,
  fileSearch: true,
  codeInterpreter: false,
  maxFileSizeMb: 25,
  contextWindow: 32_000,
  maxOutputTokens: 4_000,
};

export const openaiModel = (id: string, displayName: string, contextWindow: number): ModelEntry => ({
  id,
  displayName,
  provider: 'openai',
  providerModel: id,
  vision: true,
  fileSearch: true,
  codeInterpreter: true,
  maxFileSizeMb: 25,
  contextWindow,
  maxOutputTokens: 32_768,
});

type Env = Record<string, string | undefined>;

/** `MODEL_CATALOG` (a JSON array of entries) replaces the catalog; otherwise it follows the keys set. */
export function buildCatalog(env: Env = process.env): ModelEntry[] {
  if (env.MODEL_CATALOG?.trim()) {
    const parsed = z.array(modelSchema).min(1).safeParse(JSON.parse(env.MODEL_CATALOG));
    if (!parsed.success) throw new Error(`MODEL_CATALOG is invalid: ${parsed.error.message}`);
    return parsed.data;
  }
  const models: ModelEntry[] = [];
  if (env.OPENAI_API_KEY?.trim()) {
    models.push(
      openaiModel('gpt-4.1-mini', 'GPT-4.1 mini', 1_047_576),
      openaiModel('gpt-4.1', 'GPT-4.1', 1_047_576),
    );
  }
  const azureDeployment = env.AZURE_OPENAI_DEPLOYMENT?.trim();
  if (env.AZURE_OPENAI_ENDPOINT?.trim() && env.AZURE_OPENAI_API_KEY?.trim() && azureDeployment) {
    models.push({
      ...openaiModel(`azure-${azureDeployment}`, `${azureDeployment} (Azure)`, 128_000),
      provider: 'azure',
      providerModel: azureDeployment,
    });
  }
  models.push(OFFLINE);
  return models;
}

let catalog: ModelEntry[] | undefined;
const current = () => {
  catalog ??= buildCatalog();
  return catalog;
};

export const findModel = (id: string): ModelEntry | undefined => current().find((m) => m.id === id);

/** `DEFAULT_MODEL` if it names a model, else the first entry. */
export const defaultModel = (): ModelEntry =>
  (process.env.DEFAULT_MODEL && findModel(process.env.DEFAULT_MODEL)) || (current()[0] as ModelEntry);
