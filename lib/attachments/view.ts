import type { Attachment } from '@/lib/db/schema';
import { keepsOriginals } from '@/lib/file-stores/originals';

/** The attachment as clients see it: never the chat, the uploader, the backend or a provider id. */
export interface AttachmentView {
  id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  status: Attachment['status'];
  kind: Attachment['kind'];
  error_code?: string;
  /** A sent message references it: it can no longer be deleted. */
  locked: boolean;
  /**
   * Its original can be fetched from `…/content` now: it is stored, in a store that gives bytes
   * back. False for a file kept by OpenAI or Azure, which refuse downloads.
   */
  can_open: boolean;
  img_thumbnail?: ThumbnailView;
  created_at: string;
}

export interface ThumbnailView {
  content_type: 'image/webp';
  width: number;
  height: number;
  data_base64: string;
}

/** The `img_thumbnail` member, present only when the thumbnail and its size are all stored. */
export const thumbnailOf = (a: Attachment): { img_thumbnail?: ThumbnailView } =>
  a.imgThumbnail && a.imgThumbnailWidth && a.imgThumbnailHeight
    ? {
        img_thumbnail: {
          content_type: 'image/webp',
          width: a.imgThumbnailWidth,
          height: a.imgThumbnailHeight,
          data_base64: a.imgThumbnail.toString('base64'),
        },
      }
    : {};

/** Whether the file's bytes are all stored, in a store that gives them back. */
export const canOpen = (a: Attachment): boolean =>
  (a.status === 'uploaded' || a.status === 'ready') && keepsOriginals(a.provider);

export function toAttachmentView(a: Attachment): AttachmentView {
  return {
    id: a.id,
    filename: a.filename,
    content_type: a.contentType,
    size_bytes: a.sizeBytes,
    status: a.status,
    kind: a.kind,
    locked: a.lockedAt !== null,
    can_open: canOpen(a),
    ...(a.errorCode ? { error_code: a.errorCode } : {}),
    ...thumbnailOf(a),
    created_at: a.createdAt.toISOString(),
  };
}
