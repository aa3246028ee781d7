import { ApiError, toApiError } from '@/components/api';
import type { AttachmentView } from '@/lib/attachments/view';

export interface UploadRequest {
  chatId: string;
  file: File;
  /** The Content-Type to declare for the part: the browser's guess is often empty or wrong. */
  type: string;
  signal: AbortSignal;
  onProgress: (loaded: number, total: number) => void;
  /** Every byte has left the browser; the server is still storing and checking the file. */
  onSent: () => void;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * POSTs one file as multipart/form-data. XHR rather than fetch: only XHR reports upload progress.
 * Rejects with an ApiError (code `network_error` when no answer came) or, once aborted, an AbortError.
 */
export function uploadAttachment(request: UploadRequest): Promise<AttachmentView> {
  const { file, signal } = request;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);

    xhr.upload.onprogress = (event) =>
      request.onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.upload.onload = () => request.onSent();
    xhr.onload = () => {
      settle();
      const body = parse(xhr.responseText);
      if (xhr.status === 201) resolve(body as AttachmentView);
      else reject(toApiError(xhr.status, body, xhr.getResponseHeader('retry-after')));
    };
    xhr.onerror = () => {
      settle();
      reject(new ApiError('The connection was lost before the upload finished.', 0, 'network_error'));
    };
    xhr.onabort = () => {
      settle();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    };

    const form = new FormData();
    form.append('file', file.slice(0, file.size, request.type), file.name);
    xhr.open('POST', `/api/chats/${encodeURIComponent(request.chatId)}/attachments`);
    xhr.send(form);
  });
}
