import type { LimitBreach } from '@/lib/attachments/usage';
import { AppError } from '@/lib/errors';

const humanSize = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export const tooLarge = (kind: string, limit: number) =>
  new AppError('file_too_large', `The ${kind} is larger than the ${humanSize(limit)} limit for ${kind}s.`, {
    extensions: { max_bytes: limit },
  });

export function breachError(breach: LimitBreach): AppError {
  if (breach.code === 'storage_limit_exceeded') {
    return new AppError(
      'storage_limit_exceeded',
      "This file would take the chat's attachments over its size limit.",
    );
  }
  return new AppError(
    'storage_quota_exceeded',
    breach.scope === 'user'
      ? 'This file would take you over your storage quota. Delete files you no longer need.'
      : 'This file would take your organisation over its storage quota.',
    { extensions: { quota_scope: breach.scope } },
  );
}
