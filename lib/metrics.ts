/**
 * The metrics port, with upstream's instrument names. The in-memory implementation backs tests
 * and, until a Prometheus exporter is wired in, the process itself. Labels are bounded enums:
 * never a tenant, user, chat id or filename.
 */
export type UploadKind = 'document' | 'image';
export type UploadResult =
  | 'ok'
  | 'file_too_large'
  | 'unsupported_type'
  | 'content_mismatch'
  | 'limit_exceeded'
  | 'storage_limit_exceeded'
  | 'provider_error'
  | 'concurrency_limit'
  | 'cancelled'
  | 'deleted';

export interface AttachmentMetrics {
  /** mini_chat_attachment_upload_total{kind,result} */
  upload(kind: UploadKind, result: UploadResult): void;
  /** mini_chat_attachment_upload_bytes{kind} */
  uploadBytes(kind: UploadKind, bytes: number): void;
  /** mini_chat_attachments_pending: +1 when a pending row is written, -1 on every way out. */
  pending(delta: 1 | -1): void;
}

export class InMemoryMetrics implements AttachmentMetrics {
  readonly counters = new Map<string, number>();
  readonly bytes = new Map<UploadKind, number[]>();
  pendingGauge = 0;

  upload(kind: UploadKind, result: UploadResult): void {
    const key = `mini_chat_attachment_upload_total{kind="${kind}",result="${result}"}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  uploadBytes(kind: UploadKind, bytes: number): void {
    this.bytes.set(kind, [...(this.bytes.get(kind) ?? []), bytes]);
  }

  pending(delta: 1 | -1): void {
    this.pendingGauge += delta;
  }

  count(kind: UploadKind, result: UploadResult): number {
    return this.counters.get(`mini_chat_attachment_upload_total{kind="${kind}",result="${result}"}`) ?? 0;
  }
}
