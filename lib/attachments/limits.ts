import { AppError } from '@/lib/errors';
import { authorize, type Caller } from '@/lib/policy';
import { gatePurposes, resolveUploadContext, type ToolStatus } from './context';
import type { AttachmentDeps } from './deps';
import { acceptedTypes, resolveFileType } from './mime';
import { readUsage } from './usage';

const meter = (used: number, limit: number) => ({ used, limit, remaining: Math.max(0, limit - used) });

export interface UploadLimits {
  uploads_enabled: boolean;
  max_bytes: { document: number; image: number };
  accepted_types: { mime: string; kind: 'document' | 'image'; extensions: string[] }[];
  chat: { documents: ReturnType<typeof meter>; bytes: ReturnType<typeof meter> };
  quotas: { user: ReturnType<typeof meter>; tenant: ReturnType<typeof meter> };
  code_interpreter: ToolStatus;
  file_search: ToolStatus;
  /** Images may be uploaded here: the tenant has not turned them off. */
  images_enabled: boolean;
  /**
   * The chat's model reads images. When false, images are still accepted and sent with the
   * message, but the model gets only the text, so the browser says so before sending.
   */
  model_sees_images: boolean;
}

/**
 * What the caller may upload to this chat right now, so the browser can refuse a file before
 * sending it. Accepted types already leave out what the model's tools or the tenant's switches refuse.
 */
export async function getUploadLimits(
  deps: Pick<AttachmentDeps, 'db' | 'config' | 'models'>,
  caller: Caller | null,
  chatId: string,
): Promise<UploadLimits> {
  const scope = authorize(caller, 'attachment.upload');
  const ctx = await resolveUploadContext(deps, scope, chatId);
  const usage = await readUsage(deps.db, {
    tenantId: scope.tenantId,
    chatId: ctx.chat.id,
    userId: scope.userId,
  });
  const { config } = deps;
  const { limits } = ctx;
  const accepted = ctx.uploadsEnabled
    ? acceptedTypes({ allowCsv: config.allowCsvUpload }).filter((type) => {
        if (limits.allowedTypes && !limits.allowedTypes.includes(type.mime)) return false;
        try {
          gatePurposes(resolveFileType(type.mime, '', { allowCsv: config.allowCsvUpload }), ctx);
          return true;
        } catch (err) {
          if (err instanceof AppError) return false;
          throw err;
        }
      })
    : [];
  return {
    uploads_enabled: ctx.uploadsEnabled,
    max_bytes: ctx.maxBytes,
    accepted_types: accepted,
    chat: {
      documents: meter(usage.chatDocuments, limits.maxDocumentsPerChat),
      bytes: meter(usage.chatBytes, limits.maxTotalBytesPerChat),
    },
    quotas: {
      user: meter(usage.userBytes, limits.userQuotaBytes),
      tenant: meter(usage.tenantBytes, limits.tenantQuotaBytes),
    },
    code_interpreter: ctx.codeInterpreter,
    file_search: ctx.fileSearch,
    images_enabled: ctx.imagesEnabled,
    model_sees_images: ctx.model?.vision === true,
  };
}
