/**
 * How our provider objects are named, and how cleanup recognizes them again. A file is named
 * `{chat_id}_{attachment_id}.{ext}` (built by `storedFilename` in lib/attachments/mime.ts), a
 * vector store `mini-chat_{chat_id}`: the ids lead back to the rows that should reference them.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const FILE_NAME = new RegExp(`^(${UUID})_(${UUID})\\.[a-z0-9]{1,16}$`);
const STORE_PREFIX = 'mini-chat_';
const STORE_NAME = new RegExp(`^${STORE_PREFIX}(${UUID})$`);

export function parseStoredFilename(
  name: string | null,
): { chatId: string; attachmentId: string } | undefined {
  const match = name ? FILE_NAME.exec(name) : null;
  return match?.[1] && match[2] ? { chatId: match[1], attachmentId: match[2] } : undefined;
}

export const vectorStoreName = (chatId: string): string => `${STORE_PREFIX}${chatId}`;

export function parseVectorStoreName(name: string | null): string | undefined {
  return (name && STORE_NAME.exec(name)?.[1]) || undefined;
}

/** A stored file's name is its provider file id: one path segment, never one of our dot-named temporaries. */
export function isStoredFileName(fileId: string): boolean {
  return (
    fileId.length > 0 &&
    Buffer.byteLength(fileId) <= 255 &&
    !/[/\\\0]/.test(fileId) &&
    !fileId.includes('..') &&
    !fileId.startsWith('.')
  );
}
