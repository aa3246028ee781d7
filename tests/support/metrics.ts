import type { AttachmentMetrics, UploadKind, UploadResult } from '@/lib/metrics';

/** The attachment metrics port in memory, so a test can read back every value it recorded. */
export class InMemoryMetrics implements AttachmentMetrics {
  readonly counters = new Map<string, number>();
  readonly bytes = new Map<UploadKind, number[]>();
  pendingGauge = 0;

  upload(kind: UploadKind, result: UploadResult): void {
    const key = `${kind}/${result}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  uploadBytes(kind: UploadKind, bytes: number): void {
    this.bytes.set(kind, [...(this.bytes.get(kind) ?? []), bytes]);
  }

  pending(delta: 1 | -1): void {
    this.pendingGauge += delta;
  }

  count(kind: UploadKind, result: UploadResult): number {
    return this.counters.get(`${kind}/${result}`) ?? 0;
  }
}
