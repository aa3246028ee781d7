import { AttachmentPreview } from '@/components/attachments/attachment-preview';
import { FileName } from '@/components/attachments/file-name';
import type { MessageAttachment, SentAttachment } from './message-types';

const thumbnailOf = (attachment: SentAttachment) =>
  attachment.img_thumbnail
    ? `data:${attachment.img_thumbnail.content_type};base64,${attachment.img_thumbnail.data_base64}`
    : undefined;

const itemClass =
  'flex max-w-full min-w-0 items-center gap-2 rounded-lg border border-zinc-200 bg-white p-1.5 pr-3 sm:max-w-[16rem] dark:border-zinc-700 dark:bg-zinc-900';

/**
 * The files sent with a user message: an image's thumbnail, or a badge for a document; a file an
 * administrator deleted since keeps its place, saying so.
 */
export function MessageAttachments({ attachments }: { attachments: MessageAttachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul aria-label="Files sent" className="flex max-w-full flex-wrap justify-end gap-2">
      {attachments.map((attachment) =>
        'removed_by_admin' in attachment ? (
          <li
            key={attachment.attachment_id}
            className={`${itemClass} border-dashed px-3 py-2 text-xs text-zinc-600 italic dark:text-zinc-400`}
          >
            File removed by an administrator
          </li>
        ) : (
          <li key={attachment.attachment_id} className={itemClass}>
            <AttachmentPreview
              filename={attachment.filename}
              kind={attachment.kind}
              src={thumbnailOf(attachment)}
            />
            <FileName name={attachment.filename} className="text-xs font-medium" />
          </li>
        ),
      )}
    </ul>
  );
}
