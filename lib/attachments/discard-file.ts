import type { FileStore } from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';

/** Deletes a stored file no row will reference, best effort. */
export async function discardFile(fileStore: FileStore, providerFileId: string): Promise<void> {
  await fileStore.files.delete(providerFileId).catch((err: unknown) => {
    // No live row references it: reconciliation finds it by its structured name.
    log.warn({ err: errorFields(err) }, 'provider file delete failed');
  });
}
