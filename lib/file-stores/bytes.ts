import type { FileStorage } from '@/lib/file-stores/ports';

/**
 * Where the local index's files keep their bytes: a folder (local/folder.ts) or an S3-compatible
 * bucket (lib/file-stores/s3). Only the bytes move; the index, and so search, stays in our
 * database either way.
 */
export interface FileBytes extends FileStorage {
  /** Recorded on each attachment row (`storage_backend`): where its bytes are. */
  readonly storageBackend: string;
  read: NonNullable<FileStorage['read']>;
  /**
   * Runs `use` with the file at a path on this machine, for the extraction sandbox, which reads
   * a file; the copy, if one was made, is gone when it settles. Fails with status 404 when the file
   * is not there.
   */
  withLocalCopy<T>(fileId: string, use: (file: string) => Promise<T>): Promise<T>;
}
