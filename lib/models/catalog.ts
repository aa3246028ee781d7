/**
 * The models a chat can be created with. A chat's model is fixed at creation, so the catalog is
 * consulted when a chat is created and whenever its model's capabilities matter later.
 */
export interface ModelEntry {
  id: string;
  displayName: string;
  provider: 'offline';
}

/** The keyless default: answers from the chat's own documents, with no language model behind it. */
const OFFLINE: ModelEntry = { id: 'offline', displayName: 'Offline (no model)', provider: 'offline' };

const catalog: readonly ModelEntry[] = [OFFLINE];

export const listModels = (): readonly ModelEntry[] => catalog;

export const findModel = (id: string): ModelEntry | undefined => catalog.find((m) => m.id === id);

export const defaultModel = (): ModelEntry => OFFLINE;
