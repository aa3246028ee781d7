import { z } from 'zod';

/**
 * The models a chat can use. A chat's first model decides which file store keeps its files; it
 * may later switch only among the models of that store (lib/chats/models.ts). The entry also sets
 * the per-file size cap and which tools the chat can use.
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
  /** A disabled model is hidden from the picker, and its chats cannot send until it returns. */
  enabled: z.boolean().default(true),
});

export type ModelEntry = z.output<typeof modelSchema>;

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
  enabled: true,
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
  enabled: true,
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
  // Ollama, vLLM, LM Studio…: its own base URL, or OPENAI_BASE_URL when no OpenAI key claims it.
  const compatible = env.OPENAI_COMPATIBLE_MODEL?.trim();
  if (compatible) {
    models.push({
      id: compatible,
      displayName: `${compatible} (local)`,
      provider: 'openai-compatible',
      providerModel: compatible,
      // Retrieval runs in our own index; the model only reads the passages put in its prompt.
      vision: false,
      fileSearch: true,
      codeInterpreter: false,
      maxFileSizeMb: 25,
      contextWindow: Number(env.OPENAI_COMPATIBLE_CONTEXT_WINDOW) || 8_192,
      maxOutputTokens: 2_048,
      enabled: true,
    });
  }
  models.push(OFFLINE);
  return models;
}

/** The process's catalog, which the composition root (lib/runtime.ts) builds once. */
export interface ModelCatalog {
  /** Any entry, enabled or not: a disabled model's chats keep their files where they are. */
  findEntry(id: string): ModelEntry | undefined;
  /** The entry of an enabled model; a chat whose model is gone or disabled cannot send. */
  findModel(id: string): ModelEntry | undefined;
  enabledModels(): ModelEntry[];
  /** `DEFAULT_MODEL` if it names an enabled model, else the first enabled entry. */
  defaultModel(): ModelEntry;
}

export function createModelCatalog(env: Env = process.env): ModelCatalog {
  const entries = buildCatalog(env);
  const findModel = (id: string) => entries.find((m) => m.id === id && m.enabled);
  const enabledModels = () => entries.filter((m) => m.enabled);
  return {
    findEntry: (id) => entries.find((m) => m.id === id),
    findModel,
    enabledModels,
    defaultModel: () =>
      (env.DEFAULT_MODEL && findModel(env.DEFAULT_MODEL)) || (enabledModels()[0] ?? OFFLINE),
  };
}

/** A model as clients see it: what it can do, never which provider runs it or under what name. */
export interface ModelView {
  id: string;
  display_name: string;
  capabilities: ('vision' | 'file_search' | 'code_interpreter')[];
  context_window: number;
  max_file_size_mb: number;
}

export function toModelView(m: ModelEntry): ModelView {
  const capabilities: ModelView['capabilities'] = [];
  if (m.vision) capabilities.push('vision');
  if (m.fileSearch) capabilities.push('file_search');
  if (m.codeInterpreter) capabilities.push('code_interpreter');
  return {
    id: m.id,
    display_name: m.displayName,
    capabilities,
    context_window: m.contextWindow,
    max_file_size_mb: m.maxFileSizeMb,
  };
}
