import type { UploadLimits } from '@/lib/attachments/limits';
import { FILE_TYPES, inferMimeFromFilename, normalizeMime } from '@/lib/attachments/mime';
import type { AttachmentKind } from './error-messages';

export type FileCheck =
  | { ok: true; type: string; kind: AttachmentKind }
  | { ok: false; kind: AttachmentKind; code: string; details?: Record<string, unknown> };

/** What files already accepted in this tab will take once they land, so a batch is checked as a whole. */
export interface Reserved {
  documents: number;
  bytes: number;
}

const OCTET_STREAM = 'application/octet-stream';

/**
 * The type to declare for the upload. The server trusts a declared type over the name, so where the
 * browser's guess is empty, generic or one this chat does not take (Chrome calls .ts files
 * video/mp2t), the name decides; the server still checks that the content matches.
 */
function resolveType(file: File, accepted: Set<string>): string {
  const declared = normalizeMime(file.type);
  if (accepted.has(declared)) return declared;
  const byName = inferMimeFromFilename(file.name);
  if (byName && accepted.has(byName)) return byName;
  return declared && declared !== OCTET_STREAM ? declared : (byName ?? declared);
}

/** Why a type the server knows is missing from this chat's accepted types. */
function whyNotAccepted(type: string, limits: UploadLimits): FileCheck {
  const rule = FILE_TYPES.find((candidate) => candidate.mime === type);
  const kind = rule?.kind ?? (type.startsWith('image/') ? 'image' : 'document');
  if (!rule) return { ok: false, kind, code: 'unsupported_file_type' };
  // Every chat takes images, whatever its model: only the tenant's switch leaves them out.
  if (rule.kind === 'image') return { ok: false, kind, code: 'images_disabled' };
  if (!rule.purposes.includes('file_search')) {
    return {
      ok: false,
      kind,
      code: limits.code_interpreter === 'unknown' ? 'service_unavailable' : 'code_interpreter_unavailable',
    };
  }
  return {
    ok: false,
    kind,
    code: limits.file_search === 'denied' ? 'file_search_unavailable' : 'unsupported_file_type',
  };
}

/**
 * The browser's half of the upload rules: the same checks the server makes before it reads a byte,
 * against the chat's current limits, so a refused file is explained at once and never sent.
 */
export function checkFile(file: File, limits: UploadLimits, reserved: Reserved): FileCheck {
  if (!limits.uploads_enabled) return { ok: false, kind: 'document', code: 'uploads_disabled' };
  const accepted = new Set(limits.accepted_types.map((entry) => entry.mime));
  const type = resolveType(file, accepted);
  const entry = limits.accepted_types.find((candidate) => candidate.mime === type);
  if (!entry) return whyNotAccepted(type, limits);
  const { kind } = entry;
  if (file.size === 0) return { ok: false, kind, code: 'empty_file' };
  const maxBytes = limits.max_bytes[kind];
  if (file.size > maxBytes)
    return { ok: false, kind, code: 'file_too_large', details: { max_bytes: maxBytes } };

  const { chat, quotas } = limits;
  if (kind === 'document' && chat.documents.remaining - reserved.documents <= 0) {
    return { ok: false, kind, code: 'document_limit_exceeded', details: { limit: chat.documents.limit } };
  }
  const fits = (meter: { remaining: number }) => file.size <= meter.remaining - reserved.bytes;
  if (!fits(chat.bytes)) {
    return {
      ok: false,
      kind,
      code: 'storage_limit_exceeded',
      details: { limit: chat.bytes.limit, remaining: Math.max(0, chat.bytes.remaining - reserved.bytes) },
    };
  }
  if (!fits(quotas.user))
    return { ok: false, kind, code: 'storage_quota_exceeded', details: { quota_scope: 'user' } };
  if (!fits(quotas.tenant)) {
    return { ok: false, kind, code: 'storage_quota_exceeded', details: { quota_scope: 'tenant' } };
  }
  return { ok: true, type, kind };
}
