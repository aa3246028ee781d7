import type { AttachmentDeps } from '@/lib/attachments/deps';
import { discardFile } from '@/lib/attachments/discard-file';
import { chatVectorStore, indexDocument } from '@/lib/attachments/indexing';
import { transition } from '@/lib/attachments/store';
import { DEFAULT_THUMBNAIL_CONFIG, makeThumbnail, type Thumbnail } from '@/lib/attachments/thumbnail';
import { type AttachmentView, toAttachmentView } from '@/lib/attachments/view';
import { notFound } from '@/lib/errors';
import type { FileStore } from '@/lib/file-stores/ports';
import type { UploadedAttachment } from './pending';

export interface UploadOutcome {
  attachment: AttachmentView;
  /**
   * For a document being indexed: waits for the file store to finish and settles the attachment
   * (`ready` or `failed`). Never rejects; run it after the response.
   */
  indexing?: () => Promise<void>;
}

/**
 * The last stage: an image (with its thumbnail, from `image`, its whole bytes) and a file that is
 * not for search are `ready` now; a document for search gets the chat's vector store and is
 * handed to indexing, which the caller runs after its response.
 */
export async function finishUpload(
  deps: Pick<AttachmentDeps, 'db' | 'config' | 'sleep' | 'thumbnails'>,
  fileStore: FileStore,
  uploaded: UploadedAttachment,
  image: Buffer | null,
): Promise<UploadOutcome> {
  if (uploaded.kind === 'image') {
    const thumbnail = image && (await makeThumbnail(image, deps.thumbnails ?? DEFAULT_THUMBNAIL_CONFIG));
    return { attachment: await markReady(deps, fileStore, uploaded, thumbnail) };
  }
  if (!uploaded.forFileSearch) {
    return { attachment: await markReady(deps, fileStore, uploaded, null) };
  }
  const vectorStoreId = await chatVectorStore(deps, fileStore, uploaded);
  const { id, providerFileId } = uploaded;
  return {
    attachment: toAttachmentView(uploaded),
    indexing: () => indexDocument(deps, { fileStore, vectorStoreId, id, providerFileId }),
  };
}

async function markReady(
  deps: Pick<AttachmentDeps, 'db'>,
  fileStore: FileStore,
  uploaded: UploadedAttachment,
  thumbnail: Thumbnail | null,
): Promise<AttachmentView> {
  const ready = await transition(deps.db, uploaded.id, 'uploaded', {
    status: 'ready',
    ...(thumbnail
      ? {
          imgThumbnail: thumbnail.bytes,
          imgThumbnailWidth: thumbnail.width,
          imgThumbnailHeight: thumbnail.height,
        }
      : {}),
  });
  if (!ready) {
    await discardFile(fileStore, uploaded.providerFileId);
    throw notFound('Attachment');
  }
  return toAttachmentView(ready);
}
