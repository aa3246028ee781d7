import type { FileStoreId } from './ports';

/**
 * The stores that give a file's bytes back (`files.read`), known without building one: a view says
 * whether a file can be opened even in a process where its store is not configured. OpenAI and
 * Azure refuse downloads of files kept for assistants.
 */
const KEEPS_ORIGINALS: Record<FileStoreId, boolean> = { local: true, openai: false, azure: false };

/** `store` is an attachment's `provider` column, which names its file store. */
export const keepsOriginals = (store: string): boolean => KEEPS_ORIGINALS[store as FileStoreId] === true;
