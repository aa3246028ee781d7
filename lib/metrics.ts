import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { IndexingFailure } from '@/lib/file-stores/ports';

/**
 * The metrics ports, with instrument names stable across versions (dashboards and alerts use them), and their Prometheus implementation.
 * Labels are bounded enums: never a tenant, user, chat id, filename or free-form error text.
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
  | 'timeout'
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

export type CleanupResource = 'file' | 'vector_store';
/** Why a cleanup step failed, in a handful of words (raw error text would make labels unbounded and could leak provider ids). */
export type FailureReason =
  | 'rate_limited'
  | 'provider_unavailable'
  | 'provider_rejected'
  | 'not_configured'
  | 'database'
  | 'internal';

export interface CleanupMetrics {
  /** mini_chat_cleanup_completed_total{resource_type} */
  cleanupCompleted(resource: CleanupResource): void;
  /** mini_chat_cleanup_failed_total{resource_type}: gave up after the last attempt. */
  cleanupFailed(resource: CleanupResource, count?: number): void;
  /** mini_chat_cleanup_retry_total{resource_type,reason} */
  cleanupRetry(resource: CleanupResource, reason: FailureReason): void;
  /** mini_chat_cleanup_vector_store_with_failed_attachments_total */
  vectorStoreWithFailedAttachments(): void;
}

export type JobResult = 'ok' | 'retry' | 'dead';
export type ReaperOutcome =
  | 'upload_interrupted'
  | 'upload_expired'
  | 'ready'
  | 'indexing_failed'
  | IndexingFailure
  | 'indexing_timeout'
  | 'indexing_resumed'
  | 'deleted';

export interface WorkerMetrics {
  /** mini_chat_outbox_handler_total{kind,result}; `dead` also counts mini_chat_outbox_dead_total{kind}. */
  job(kind: string, result: JobResult): void;
  /** mini_chat_reaper_settled_total{resource_type,outcome} */
  reaped(outcome: ReaperOutcome, count?: number): void;
  /** mini_chat_reconcile_deleted_total{resource_type}: objects no live row referenced. */
  orphanDeleted(resource: CleanupResource): void;
  /** mini_chat_orphan_finalized_total{reason="stale_progress"}: running turns whose stream died. */
  orphanTurnsFinalized(count: number): void;
}

export type TurnOutcome = 'completed' | 'failed' | 'cancelled';
export type AbortTrigger = 'client_disconnect' | 'user_stop' | 'idle_timeout';

/** Labels are the catalog's model id and its provider kind: both bounded by the catalog. */
export interface StreamLabels {
  provider: string;
  model: string;
}

export interface StreamMetrics {
  /** mini_chat_stream_started_total{provider,model}, and mini_chat_active_streams +1 */
  streamStarted(labels: StreamLabels): void;
  /**
   * mini_chat_stream_{completed,failed,cancelled}_total{provider,model[,error_code]},
   * mini_chat_stream_total_latency_ms, and mini_chat_active_streams -1.
   */
  streamFinished(labels: StreamLabels, outcome: TurnOutcome, ms: number, errorCode?: string): void;
  /** mini_chat_ttft_provider_ms: from the model call to its first token. */
  ttftProvider(labels: StreamLabels, ms: number): void;
  /** mini_chat_ttft_overhead_ms: from the first token's arrival to its bytes handed to the response. */
  ttftOverhead(labels: StreamLabels, ms: number): void;
  /** mini_chat_streams_aborted_total{trigger} and mini_chat_time_to_abort_ms{trigger}. */
  streamAborted(trigger: AbortTrigger, msToAbort: number): void;
  /** mini_chat_stream_replay_total */
  replay(): void;
}

/** What the database says is left to do, read when Prometheus scrapes. */
export interface Backlog {
  cleanup: { state: 'pending' | 'failed'; resource: CleanupResource; count: number }[];
  outbox: { kind: string; pending: number; dead: number; oldestPendingSeconds: number }[];
}

export type Metrics = AttachmentMetrics & CleanupMetrics & WorkerMetrics & StreamMetrics;

/** The job kinds a label may name; anything else in the table is reported as `other`. */
const JOB_KINDS = new Set(['attachment_deleted', 'chat_deleted']);
const kindLabel = (kind: string) => (JOB_KINDS.has(kind) ? kind : 'other');

const KiB = 1024;
/** Milliseconds: from sub-millisecond overheads up to a long answer. */
const MS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000];

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly uploads = this.counter(
    'mini_chat_attachment_upload_total',
    'Attachment uploads by result.',
    ['kind', 'result'],
  );
  private readonly bytes = new Histogram({
    name: 'mini_chat_attachment_upload_bytes',
    help: 'Size of uploaded attachments.',
    labelNames: ['kind'],
    buckets: [16, 64, 256, 1024, 4096, 10 * 1024, 25 * 1024].map((k) => k * KiB),
    registers: [this.registry],
  });
  private readonly pendingUploads = new Gauge({
    name: 'mini_chat_attachments_pending',
    help: 'Uploads in flight in this process.',
    registers: [this.registry],
  });
  private readonly completed = this.counter(
    'mini_chat_cleanup_completed_total',
    'Provider objects deleted.',
    ['resource_type'],
  );
  private readonly failed = this.counter(
    'mini_chat_cleanup_failed_total',
    'Provider objects given up on after the last attempt.',
    ['resource_type'],
  );
  private readonly retries = this.counter(
    'mini_chat_cleanup_retry_total',
    'Failed cleanup attempts to retry.',
    ['resource_type', 'reason'],
  );
  private readonly storesWithFailed = this.counter(
    'mini_chat_cleanup_vector_store_with_failed_attachments_total',
    "Chat vector stores deleted while some of the chat's files could not be.",
    [],
  );
  private readonly jobs = this.counter('mini_chat_outbox_handler_total', 'Outbox jobs run, by result.', [
    'kind',
    'result',
  ]);
  private readonly dead = this.counter('mini_chat_outbox_dead_total', 'Outbox jobs dead-lettered.', ['kind']);
  private readonly reaper = this.counter(
    'mini_chat_reaper_settled_total',
    'Stuck work the reaper brought to an end.',
    ['resource_type', 'outcome'],
  );
  private readonly orphans = this.counter(
    'mini_chat_reconcile_deleted_total',
    'Provider objects reconciliation deleted because no live row referenced them.',
    ['resource_type'],
  );
  private readonly backlogGauge = this.gauge(
    'mini_chat_cleanup_backlog',
    'Provider cleanup not done, by state.',
    ['state', 'resource_type'],
  );
  private readonly outboxPending = this.gauge(
    'mini_chat_outbox_pending_rows',
    'Outbox jobs waiting to run.',
    ['kind'],
  );
  private readonly outboxDead = this.gauge(
    'mini_chat_outbox_dead_rows',
    'Dead-lettered outbox jobs awaiting an operator.',
    ['kind'],
  );
  private readonly outboxAge = this.gauge(
    'mini_chat_outbox_oldest_pending_age_seconds',
    'Age of the oldest outbox job waiting to run.',
    ['kind'],
  );

  private readonly streamsStarted = this.counter('mini_chat_stream_started_total', 'Answers started.', [
    'provider',
    'model',
  ]);
  private readonly streamsCompleted = this.counter('mini_chat_stream_completed_total', 'Answers completed.', [
    'provider',
    'model',
  ]);
  private readonly streamsFailed = this.counter(
    'mini_chat_stream_failed_total',
    'Answers that failed, by error code.',
    ['provider', 'model', 'error_code'],
  );
  private readonly streamsCancelled = this.counter(
    'mini_chat_stream_cancelled_total',
    'Answers stopped by the client.',
    ['provider', 'model'],
  );
  private readonly activeStreamsGauge = new Gauge({
    name: 'mini_chat_active_streams',
    help: 'Answers streaming in this process.',
    registers: [this.registry],
  });
  private readonly streamLatency = this.histogram(
    'mini_chat_stream_total_latency_ms',
    'Time from the start of an answer to its end.',
    ['provider', 'model'],
  );
  private readonly ttftProviderMs = this.histogram(
    'mini_chat_ttft_provider_ms',
    "Time from the model call to the model's first token.",
    ['provider', 'model'],
  );
  private readonly ttftOverheadMs = this.histogram(
    'mini_chat_ttft_overhead_ms',
    "Time from the model's first token to its bytes handed to the response.",
    ['provider', 'model'],
  );
  private readonly aborted = this.counter('mini_chat_streams_aborted_total', 'Answers aborted.', ['trigger']);
  private readonly abortMs = this.histogram(
    'mini_chat_time_to_abort_ms',
    'Time from the abort to the model stream ending.',
    ['trigger'],
  );
  private readonly replays = this.counter(
    'mini_chat_stream_replay_total',
    'Answers replayed from storage for a repeated request id.',
    [],
  );
  private readonly orphanTurns = this.counter(
    'mini_chat_orphan_finalized_total',
    'Running turns that stopped progressing and were failed.',
    ['reason'],
  );

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  upload(kind: UploadKind, result: UploadResult): void {
    this.uploads.inc({ kind, result });
  }

  uploadBytes(kind: UploadKind, bytes: number): void {
    this.bytes.observe({ kind }, bytes);
  }

  pending(delta: 1 | -1): void {
    this.pendingUploads.inc(delta);
  }

  cleanupCompleted(resource: CleanupResource): void {
    this.completed.inc({ resource_type: resource });
  }

  cleanupFailed(resource: CleanupResource, count = 1): void {
    this.failed.inc({ resource_type: resource }, count);
  }

  cleanupRetry(resource: CleanupResource, reason: FailureReason): void {
    this.retries.inc({ resource_type: resource, reason });
  }

  vectorStoreWithFailedAttachments(): void {
    this.storesWithFailed.inc();
  }

  job(kind: string, result: JobResult): void {
    this.jobs.inc({ kind: kindLabel(kind), result });
    if (result === 'dead') this.dead.inc({ kind: kindLabel(kind) });
  }

  reaped(outcome: ReaperOutcome, count = 1): void {
    this.reaper.inc({ resource_type: 'attachment', outcome }, count);
  }

  orphanDeleted(resource: CleanupResource): void {
    this.orphans.inc({ resource_type: resource });
  }

  streamStarted(labels: StreamLabels): void {
    this.streamsStarted.inc({ ...labels });
    this.activeStreamsGauge.inc();
  }

  streamFinished(labels: StreamLabels, outcome: TurnOutcome, ms: number, errorCode = 'internal'): void {
    this.activeStreamsGauge.dec();
    this.streamLatency.observe({ ...labels }, ms);
    if (outcome === 'completed') this.streamsCompleted.inc({ ...labels });
    else if (outcome === 'cancelled') this.streamsCancelled.inc({ ...labels });
    else this.streamsFailed.inc({ ...labels, error_code: errorCode });
  }

  ttftProvider(labels: StreamLabels, ms: number): void {
    this.ttftProviderMs.observe({ ...labels }, ms);
  }

  ttftOverhead(labels: StreamLabels, ms: number): void {
    this.ttftOverheadMs.observe({ ...labels }, ms);
  }

  streamAborted(trigger: AbortTrigger, msToAbort: number): void {
    this.aborted.inc({ trigger });
    this.abortMs.observe({ trigger }, msToAbort);
  }

  replay(): void {
    this.replays.inc();
  }

  orphanTurnsFinalized(count: number): void {
    this.orphanTurns.inc({ reason: 'stale_progress' }, count);
  }

  /** The Prometheus text exposition, with the backlog gauges as the database has them now. */
  async render(backlog: Backlog): Promise<string> {
    this.backlogGauge.reset();
    for (const row of backlog.cleanup) {
      this.backlogGauge.set({ state: row.state, resource_type: row.resource }, row.count);
    }
    for (const gauge of [this.outboxPending, this.outboxDead, this.outboxAge]) gauge.reset();
    // Several unknown kinds fold into `other`: sum their counts, keep their oldest age.
    const byKind = new Map<string, { pending: number; dead: number; age: number }>();
    for (const row of backlog.outbox) {
      const kind = kindLabel(row.kind);
      const sum = byKind.get(kind) ?? { pending: 0, dead: 0, age: 0 };
      byKind.set(kind, {
        pending: sum.pending + row.pending,
        dead: sum.dead + row.dead,
        age: Math.max(sum.age, row.oldestPendingSeconds),
      });
    }
    for (const [kind, row] of byKind) {
      this.outboxPending.set({ kind }, row.pending);
      this.outboxDead.set({ kind }, row.dead);
      this.outboxAge.set({ kind }, row.age);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Histogram({ name, help, labelNames, buckets: MS_BUCKETS, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
