import { createBodyClock } from '@/lib/attachments/body-clock';
import { firstBytes } from '@/lib/attachments/byte-stream';
import { resolveUploadContext } from '@/lib/attachments/context';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { transition } from '@/lib/attachments/store';
import { crashPoint } from '@/lib/crash-point';
import { drainingError, refuseWhileDraining, trackInFlight } from '@/lib/lifecycle';
import { authorize, type Caller } from '@/lib/policy';
import { admitUpload, checkContent, enterGate, resolveFileStore, resolveType } from './admit';
import { finishUpload, type UploadOutcome } from './finish';
import { insertPending, settleUpload, whilePending } from './pending';
import { storeBytes } from './store-bytes';

export interface UploadInput {
  /** Content-Length of the whole request when known, multipart framing included. */
  sizeHint: number | null;
  /**
   * Starts reading the request: called only once the upload may go ahead at all. `stop` is aborted
   * when the upload gives up on a body that stalled: the request is to be read no further.
   */
  openFile: (stop: AbortSignal) => Promise<{
    filename: string | null | undefined;
    /** The part's declared Content-Type. */
    contentType: string;
    body: AsyncIterable<Uint8Array>;
  }>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/**
 * Content-Length counts the multipart framing too; this much of it is granted to the framing, so
 * a file just under its limit is not refused for the length of its request.
 */
export const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * An upload in one request. Everything that can refuse the file without writing anything comes
 * first: switches, declared size and type before a byte of the file is read; a place in the upload
 * gate once its first bytes are in (a client that sends headers and then nothing holds none); then
 * its content. Then one transaction checks the limits and quotas under locks and writes the
 * `pending` row; then the bytes stream to the file store, and the row is settled with their exact
 * size and made `ready` or handed to indexing. The body is read against a clock all along
 * (lib/attachments/body-clock.ts): a client that stalls is answered `upload_timeout` and its place
 * given back at once.
 */
export async function uploadFile(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  input: UploadInput,
): Promise<UploadOutcome> {
  const scope = authorize(caller, 'attachment.upload');
  refuseWhileDraining();
  const ctx = await resolveUploadContext(deps, scope, chatId);
  const declaredSize = input.sizeHint === null ? null : input.sizeHint - MULTIPART_OVERHEAD;
  admitUpload(ctx, declaredSize);
  const stop = new AbortController();
  const clock = createBodyClock(deps.config.bodyPace, () => stop.abort());
  const part = await clock.opening(input.openFile(stop.signal));
  const file = resolveType(deps, ctx, part, declaredSize);
  const body = await firstBytes(clock.body(part.body));
  const leave = enterGate(deps, scope.userId, file.rule.kind);
  try {
    const head = await checkContent(deps, body, file.rule);
    const fileStore = resolveFileStore(deps, ctx.provider);
    crashPoint('upload.before_pending');
    const row = await insertPending(
      deps,
      { tenantId: scope.tenantId, chatId: ctx.chat.id, userId: scope.userId },
      { file, fileStore, estimate: Math.max(0, declaredSize ?? 0) },
    );
    const interrupt = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, interrupt.signal]) : interrupt.signal;
    const work = whilePending(deps, row, async () => {
      const stored = await storeBytes(deps, { row, file, fileStore, head, signal });
      const uploaded = await settleUpload(deps, fileStore, row, stored);
      return finishUpload(deps, fileStore, uploaded, stored.image);
    });
    // A shutdown lets the upload finish within its grace period; one still writing then is
    // marked interrupted at once (not left to the reaper), and its writing stopped.
    trackInFlight(work, {
      onDeadline: async () => {
        await transition(deps.db, row.id, 'pending', { status: 'failed', errorCode: 'upload_interrupted' });
        interrupt.abort();
      },
    });
    try {
      return await work;
    } catch (err) {
      // Cut short by the shutdown, not by the client: it may send the file again shortly.
      if (interrupt.signal.aborted) throw drainingError({ attachment_id: row.id });
      throw err;
    }
  } finally {
    leave();
  }
}
