import type { UploadLimits } from './attachment-queries';
import { formatBytes } from './file-format';

const LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'text/plain': 'text',
  'text/markdown': 'Markdown',
  'text/html': 'HTML',
  'text/csv': 'CSV',
  'application/json': 'JSON',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

const labelsOf = (limits: UploadLimits, kind: 'document' | 'image') => [
  ...new Set(
    limits.accepted_types.filter((type) => type.kind === kind).map((type) => LABELS[type.mime] ?? 'code'),
  ),
];

/** What this chat takes, in a line: "PDF, Word, … up to 25 MB. Images (PNG, …) up to 5 MB." */
export function describeAccepted(limits: UploadLimits): string {
  if (!limits.uploads_enabled) return 'Uploads are turned off for your organisation.';
  const documents = labelsOf(limits, 'document');
  const images = labelsOf(limits, 'image');
  const parts = [];
  if (documents.length)
    parts.push(`${documents.join(', ')} up to ${formatBytes(limits.max_bytes.document)}.`);
  parts.push(
    images.length
      ? `Images (${images.join(', ')}) up to ${formatBytes(limits.max_bytes.image)}.`
      : 'Images are turned off for your organisation.',
  );
  return parts.join(' ');
}

/** The file picker's `accept`: types and extensions, since browsers match either. */
export const acceptAttribute = (limits: UploadLimits) =>
  limits.accepted_types.flatMap((type) => [type.mime, ...type.extensions.map((ext) => `.${ext}`)]).join(',');
