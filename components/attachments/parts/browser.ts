import { ApiError, apiFetch, toApiError } from '@/components/api';
import type { UploadView } from '@/lib/attachments/chunked/view';
import { PARALLEL_PARTS, type PartsApi, type PartsDeps } from './upload-parts';

const uploadPath = (uploadId: string) => `/api/uploads/${encodeURIComponent(uploadId)}`;

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * Places for parts in flight across every upload of this page, so that two large files together
 * still send {@link PARALLEL_PARTS} at a time (the server counts each part as an upload in
 * flight, per user).
 */
const slots = { free: PARALLEL_PARTS, waiting: [] as (() => void)[] };

export async function inSlot<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  if (slots.free > 0) slots.free--;
  else {
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const go = () => {
        signal.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        slots.waiting.splice(slots.waiting.indexOf(go), 1);
        reject(signal.reason);
      };
      slots.waiting.push(go);
      signal.addEventListener('abort', stop, { once: true });
    });
  }
  try {
    return await run();
  } finally {
    // The place passes straight to the next part waiting, if any.
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  }
}

/** A part's raw bytes by XHR: only XHR reports upload progress. */
function sendPart({
  uploadId,
  partNumber,
  body,
  digest,
  signal,
  onProgress,
}: Parameters<PartsApi['putPart']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      settle();
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(toApiError(xhr.status, parse(xhr.responseText), xhr.getResponseHeader('retry-after')));
    };
    xhr.onerror = () => {
      settle();
      reject(new ApiError('The connection was lost while a part was uploading.', 0, 'network_error'));
    };
    xhr.onabort = () => {
      settle();
      reject(
        signal.reason instanceof DOMException ? signal.reason : new DOMException('Aborted', 'AbortError'),
      );
    };
    xhr.open('PUT', `${uploadPath(uploadId)}/parts/${partNumber}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('content-digest', digest);
    xhr.send(body);
  });
}

const putPart: PartsApi['putPart'] = (request) => inSlot(request.signal, () => sendPart(request));

const api: PartsApi = {
  create: (chatId, input) =>
    apiFetch<UploadView>(`/api/chats/${encodeURIComponent(chatId)}/uploads`, {
      method: 'POST',
      body: input,
    }),
  status: (uploadId) => apiFetch<UploadView>(uploadPath(uploadId)),
  putPart,
  complete: (uploadId) => apiFetch<UploadView>(`${uploadPath(uploadId)}/complete`, { method: 'POST' }),
  cancel: (uploadId) => apiFetch<void>(uploadPath(uploadId), { method: 'DELETE' }),
};

/** SHA-256 in the `Content-Digest` form (RFC 9530): `sha-256=:<base64>:`. */
export async function contentDigest(blob: Blob): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  let binary = '';
  for (const byte of hash) binary += String.fromCharCode(byte);
  return `sha-256=:${btoa(binary)}:`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The browser's: the API over fetch and XHR, crypto.subtle, real time. */
export const browserPartsDeps: PartsDeps = {
  api,
  digest: contentDigest,
  sleep,
  now: () => Date.now(),
  random: Math.random,
};
