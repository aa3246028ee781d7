import type { AttachmentConfig } from '@/lib/attachments/config';
import type { Db } from '@/lib/db';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import type { AttachmentMetrics } from '@/lib/metrics';
import type { ModelLookup } from './context';
import type { ThumbnailConfig } from './thumbnail';
import type { UploadGate } from './upload-gate';

/** What the attachment functions (upload, indexing, reads, delete) are given to work with. */
export interface AttachmentDeps {
  db: Db;
  config: AttachmentConfig;
  models: ModelLookup;
  fileStores: (id: FileStoreId) => FileStore;
  metrics: AttachmentMetrics;
  gate: UploadGate;
  thumbnails?: ThumbnailConfig;
  sleep?: (ms: number) => Promise<void>;
}
