import type { AttachmentConfig } from '@/lib/attachments/config';
import { loadLiveChat } from '@/lib/chats/queries';
import type { Db } from '@/lib/db';
import type { Chat } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { FileStoreId } from '@/lib/file-stores/ports';
import type { ModelEntry } from '@/lib/models/catalog';
import { fileStoreOf } from '@/lib/models/file-store';
import type { OwnerScope } from '@/lib/policy';
import { readKillSwitches } from '@/lib/tenants/settings';
import type { FileTypeRule, Purpose } from './mime';
import { effectiveLimits, type UploadLimitValues } from './tenant-limits';

export type ToolStatus = 'allowed' | 'denied' | 'unknown';

/** Everything an upload to a chat is decided by, read before any byte of the body. */
export interface UploadContext {
  chat: Chat;
  /** Undefined when the chat's model is no longer in the catalog. */
  model: ModelEntry | undefined;
  provider: FileStoreId;
  maxBytes: { document: number; image: number };
  /** The deployment's limits as the tenant tightened them, read for this request. */
  limits: UploadLimitValues;
  uploadsEnabled: boolean;
  imagesEnabled: boolean;
  fileSearch: ToolStatus;
  codeInterpreter: ToolStatus;
}

const MiB = 1024 * 1024;

/** How the service finds a chat's model: the catalog, injectable for tests. */
export interface ModelLookup {
  find(id: string): ModelEntry | undefined;
  /** Keeps the files of a chat whose model is no longer in the catalog. */
  fallbackFileStore: FileStoreId;
}

export async function resolveUploadContext(
  deps: { db: Db; config: AttachmentConfig; models: ModelLookup },
  scope: OwnerScope,
  chatId: string,
): Promise<UploadContext> {
  const { db, config } = deps;
  const chat = await loadLiveChat(db, scope, chatId);
  const model = deps.models.find(chat.model);
  // A model's own cap tightens the configured limits; with no catalog entry, config applies.
  const modelCap = model ? model.maxFileSizeMb * MiB : Number.POSITIVE_INFINITY;
  const switches = await readKillSwitches(db, chat.tenantId);
  const limits = effectiveLimits(config, switches);
  const context: UploadContext = {
    chat,
    model,
    provider: model ? fileStoreOf(model) : deps.models.fallbackFileStore,
    maxBytes: {
      document: Math.min(limits.maxDocumentBytes, modelCap),
      image: Math.min(limits.maxImageBytes, modelCap),
    },
    limits,
    uploadsEnabled: !switches?.disableUploads,
    imagesEnabled: !switches?.disableImages,
    fileSearch: toolStatus(model?.fileSearch, switches?.disableFileSearch),
    codeInterpreter: toolStatus(model?.codeInterpreter, switches?.disableCodeInterpreter),
  };
  return context;
}

function toolStatus(supported: boolean | undefined, disabled: boolean | undefined): ToolStatus {
  if (supported === undefined) return 'unknown';
  return supported && !disabled ? 'allowed' : 'denied';
}

/** The purposes an upload keeps after the chat's model and the tenant's kill switches have their say. */
export function gatePurposes(rule: FileTypeRule, ctx: UploadContext): Purpose[] {
  // Whatever the chat's model: one without vision still gets the message's text, and the images
  // stay with the message (the turn says that the model did not see them).
  if (rule.kind === 'image' && !ctx.imagesEnabled)
    throw new AppError('images_disabled', 'Images are turned off for your organisation.');
  let purposes = [...rule.purposes];
  if (purposes.includes('code_interpreter') && ctx.codeInterpreter !== 'allowed') {
    if (ctx.codeInterpreter === 'unknown') {
      throw new AppError(
        'service_unavailable',
        'Unable to determine code interpreter support; please retry.',
      );
    }
    purposes = purposes.filter((p) => p !== 'code_interpreter');
    if (purposes.length === 0) {
      throw new AppError(
        'code_interpreter_unavailable',
        'Code interpreter is currently unavailable for this chat.',
      );
    }
  }
  if (purposes.includes('file_search') && ctx.fileSearch === 'denied') {
    purposes = purposes.filter((p) => p !== 'file_search');
    if (purposes.length === 0) {
      throw new AppError('file_search_unavailable', 'File search is currently unavailable for this chat.');
    }
  }
  return purposes;
}
