import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';

/** Millisecond precision: JS Dates round-trip exactly, so keyset cursors built from them stay exact. */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const createdAt = () => ts('created_at').notNull().defaultNow();

/** The owning tenant: every tenant-scoped row goes when its tenant goes. */
const tenantRef = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const chatRef = () =>
  uuid('chat_id')
    .notNull()
    .references(() => chats.id, { onDelete: 'cascade' });

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().$defaultFn(newId),
  slug: varchar('slug', { length: 63 }).notNull().unique('tenants_slug_uq'),
  name: varchar('name', { length: 255 }).notNull(),
  createdAt: createdAt(),
});

export const userRoles = ['member', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    email: varchar('email', { length: 320 }).notNull(),
    passwordHash: text('password_hash').notNull(),
    role: varchar('role', { length: 16, enum: userRoles }).notNull().default('member'),
    disabledAt: ts('disabled_at'),
    /**
     * Carried in every session cookie made at sign-in; bumping it ends all the user's sessions at
     * their next request ("sign out everywhere", disabling the user).
     */
    sessionVersion: integer('session_version').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
    index('users_tenant_idx').on(t.tenantId),
  ],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    lastUsedAt: ts('last_used_at'),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_uq').on(t.tokenHash),
    // A user's tokens, newest first; and those created in the last hour (lib/rate-limits).
    index('api_tokens_user_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * Sessions signed out one by one: the cookie itself stays valid until it expires, so its id is
 * refused until then. Rows past `expires_at` can no longer match a live cookie and are pruned.
 */
export const revokedSessions = pgTable(
  'revoked_sessions',
  {
    sessionId: uuid('session_id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    revokedAt: ts('revoked_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('revoked_sessions_expiry_idx').on(t.expiresAt)],
);

export const authThrottleScopes = ['sign_in_account', 'sign_in_address', 'sign_up_address'] as const;
export type AuthThrottleScope = (typeof authThrottleScopes)[number];

/**
 * Attempt counters for sign-in (per account and per client address) and sign-up (per address),
 * shared by every process. The subject is a SHA-256 of the normalised email or address, so the
 * table neither keeps a list of typed emails nor grows a key with whatever a client sends.
 */
export const authThrottles = pgTable(
  'auth_throttles',
  {
    scope: varchar('scope', { length: 32, enum: authThrottleScopes }).notNull(),
    subject: varchar('subject', { length: 64 }).notNull(),
    attempts: integer('attempts').notNull(),
    lastAttemptAt: ts('last_attempt_at').notNull(),
    lockedUntil: ts('locked_until'),
    /** After this, the attempts are forgotten (and the row may be pruned). */
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.subject] }),
    check(
      'auth_throttles_scope_valid',
      sql`${t.scope} in ('sign_in_account', 'sign_in_address', 'sign_up_address')`,
    ),
    index('auth_throttles_expiry_idx').on(t.expiresAt),
  ],
);

export const chats = pgTable(
  'chats',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: varchar('title', { length: 255 }),
    model: varchar('model', { length: 128 }).notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    // Serves "my chats, newest first, not deleted" as an index-only range scan with keyset pagination.
    index('chats_owner_recent_idx')
      .on(t.tenantId, t.userId, t.updatedAt.desc(), t.id.desc())
      .where(sql`${t.deletedAt} is null`),
    // The chats a user created in the last minute, deleted ones included (lib/rate-limits).
    index('chats_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/** Per-tenant kill switches; a tenant without a row has everything on. */
export const tenantSettings = pgTable('tenant_settings', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  disableUploads: boolean('disable_uploads').notNull().default(false),
  disableFileSearch: boolean('disable_file_search').notNull().default(false),
  disableCodeInterpreter: boolean('disable_code_interpreter').notNull().default(false),
  disableImages: boolean('disable_images').notNull().default(false),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * `uploading`: a chunked upload's parts are arriving (lib/attachments/chunked); its declared size
 * already counts against the limits and quotas. `pending`: the bytes are being stored.
 */
export const attachmentStatuses = ['uploading', 'pending', 'uploaded', 'ready', 'failed'] as const;
export type AttachmentStatus = (typeof attachmentStatuses)[number];
export const attachmentKinds = ['document', 'image'] as const;
export const cleanupStatuses = ['pending', 'done', 'failed'] as const;

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    chatId: chatRef(),
    uploadedByUserId: uuid('uploaded_by_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    filename: varchar('filename', { length: 255 }).notNull(),
    contentType: varchar('content_type', { length: 128 }).notNull(),
    /** The Content-Length hint while pending, the exact byte count from `uploaded` on. */
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    /** Which provider holds the file, so cleanup routes by provider and not by a label. */
    provider: varchar('provider', { length: 16 }).notNull(),
    storageBackend: varchar('storage_backend', { length: 32 }).notNull(),
    providerFileId: varchar('provider_file_id', { length: 256 }),
    status: varchar('status', { length: 16, enum: attachmentStatuses }).notNull(),
    errorCode: varchar('error_code', { length: 64 }),
    kind: varchar('kind', { length: 16, enum: attachmentKinds }).notNull(),
    imgThumbnail: bytea('img_thumbnail'),
    imgThumbnailWidth: integer('img_thumbnail_width'),
    imgThumbnailHeight: integer('img_thumbnail_height'),
    forFileSearch: boolean('for_file_search').notNull().default(false),
    forCodeInterpreter: boolean('for_code_interpreter').notNull().default(false),
    cleanupStatus: varchar('cleanup_status', { length: 16, enum: cleanupStatuses }),
    cleanupAttempts: integer('cleanup_attempts').notNull().default(0),
    lastCleanupError: text('last_cleanup_error'),
    cleanupUpdatedAt: ts('cleanup_updated_at'),
    /**
     * Set when a sent message first references the attachment; from then on it cannot be deleted.
     * A column rather than only the link rows, so that a delete racing a send re-checks it on the
     * row version the send wrote (a NOT EXISTS subquery would be judged on the delete's old snapshot).
     */
    lockedAt: ts('locked_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    check('attachments_size_nonnegative', sql`${t.sizeBytes} >= 0`),
    check(
      'attachments_status_valid',
      sql`${t.status} in ('uploading', 'pending', 'uploaded', 'ready', 'failed')`,
    ),
    check('attachments_kind_valid', sql`${t.kind} in ('document', 'image')`),
    check(
      'attachments_cleanup_valid',
      sql`${t.cleanupStatus} is null or ${t.cleanupStatus} in ('pending', 'done', 'failed')`,
    ),
    index('attachments_chat_idx').on(t.tenantId, t.chatId, t.createdAt).where(sql`${t.deletedAt} is null`),
    // The target of message_attachments' composite foreign key.
    unique('attachments_id_chat_uq').on(t.id, t.chatId),
    // Quota sums per user and per tenant.
    index('attachments_user_usage_idx').on(t.uploadedByUserId).where(sql`${t.deletedAt} is null`),
    index('attachments_tenant_usage_idx').on(t.tenantId).where(sql`${t.deletedAt} is null`),
    // Citations name provider files; each is mapped back to the chat's attachment.
    index('attachments_provider_file_idx').on(t.chatId, t.providerFileId),
    index('attachments_unfinished_idx')
      .on(t.status, t.updatedAt)
      .where(sql`${t.status} in ('pending', 'uploaded') and ${t.deletedAt} is null`),
    // The cleanup worker's and the backlog gauge's rows; `done` is the bulk and is never looked up.
    index('attachments_cleanup_idx')
      .on(t.cleanupStatus)
      .where(sql`${t.cleanupStatus} in ('pending', 'failed')`),
  ],
);

/** One provider vector store per chat; the unique key is the sole arbiter of who creates it. */
export const chatVectorStores = pgTable(
  'chat_vector_stores',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    chatId: chatRef(),
    /** Null while the winner of the race is creating it at the provider. */
    vectorStoreId: varchar('vector_store_id', { length: 128 }),
    provider: varchar('provider', { length: 16 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chat_vector_stores_chat_uq').on(t.tenantId, t.chatId),
    // Reconciliation asks whether a provider's store is one of ours.
    index('chat_vector_stores_store_idx').on(t.vectorStoreId),
  ],
);

export const messageRoles = ['user', 'assistant', 'system'] as const;
export const turnStates = ['running', 'completed', 'failed', 'cancelled'] as const;
export type TurnState = (typeof turnStates)[number];

/** A tool an answer used, as stored with it: what the stream showed, for a reader who comes later. */
export interface StoredToolCall {
  name: 'file_search' | 'code_interpreter';
  code?: string;
  output?: string;
}

/** A cited passage as stored with the assistant message that cites it (our ids only). */
export interface StoredCitation {
  attachment_id: string;
  filename: string;
  quote?: string;
  /** The page of the document the quoted passage starts on (from 1), when the index knows it. */
  page?: number;
}

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    chatId: chatRef(),
    role: varchar('role', { length: 16, enum: messageRoles }).notNull(),
    content: text('content').notNull(),
    /** The turn's idempotency key, shared by the question and its answer. */
    requestId: uuid('request_id').notNull(),
    model: varchar('model', { length: 128 }),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    /** Assistant messages: how their turn ended, and why when it did not complete. */
    state: varchar('state', { length: 16, enum: turnStates }),
    errorCode: varchar('error_code', { length: 64 }),
    finishReason: varchar('finish_reason', { length: 16, enum: ['stop', 'length', 'content_filter'] }),
    citations: jsonb('citations').$type<StoredCitation[]>(),
    tools: jsonb('tools').$type<StoredToolCall[]>(),
    /** Answers: the question's images their model could not see (it has no vision); null when none. */
    unseenImages: integer('unseen_images'),
    createdAt: createdAt(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    unique('messages_id_chat_uq').on(t.id, t.chatId),
    index('messages_chat_idx').on(t.chatId, t.createdAt, t.id),
    uniqueIndex('messages_request_role_uq')
      .on(t.chatId, t.requestId, t.role)
      .where(sql`${t.deletedAt} is null`),
  ],
);

/**
 * One row per request to answer a message: the idempotency key is (chat, request_id), and the
 * partial unique index lets at most one turn per chat run, whichever process serves it.
 */
export const chatTurns = pgTable(
  'chat_turns',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    tenantId: tenantRef(),
    chatId: chatRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    requestId: uuid('request_id').notNull(),
    state: varchar('state', { length: 16, enum: turnStates }).notNull(),
    errorCode: varchar('error_code', { length: 64 }),
    model: varchar('model', { length: 128 }).notNull(),
    userMessageId: uuid('user_message_id').notNull(),
    /** Chosen when the turn starts, so the stream can name the message before it is written. */
    assistantMessageId: uuid('assistant_message_id').notNull(),
    /** The retry that replaced this turn. */
    replacedByRequestId: uuid('replaced_by_request_id'),
    startedAt: ts('started_at').notNull().defaultNow(),
    /** Bumped while the answer streams; a running turn that stops progressing is an orphan. */
    lastProgressAt: ts('last_progress_at').notNull().defaultNow(),
    /**
     * A stop asked for by another request (another tab, or after a reload) than the one reading
     * the stream; the stream's process may be another one, so it reads this flag.
     */
    cancelRequestedAt: ts('cancel_requested_at'),
    completedAt: ts('completed_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    check('chat_turns_state_valid', sql`${t.state} in ('running', 'completed', 'failed', 'cancelled')`),
    uniqueIndex('chat_turns_request_uq').on(t.chatId, t.requestId),
    uniqueIndex('chat_turns_one_running_uq')
      .on(t.chatId)
      .where(sql`${t.state} = 'running' and ${t.deletedAt} is null`),
    index('chat_turns_orphan_idx').on(t.lastProgressAt).where(sql`${t.state} = 'running'`),
    index('chat_turns_latest_idx').on(t.chatId, t.startedAt).where(sql`${t.deletedAt} is null`),
    // The answers a user asked for in the last minute (lib/rate-limits).
    index('chat_turns_user_started_idx').on(t.userId, t.startedAt),
  ],
);

/** Which attachments a message was sent with; the composite keys keep both in the same chat. */
export const messageAttachments = pgTable(
  'message_attachments',
  {
    tenantId: uuid('tenant_id').notNull(),
    chatId: uuid('chat_id').notNull(),
    messageId: uuid('message_id').notNull(),
    attachmentId: uuid('attachment_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.messageId, t.attachmentId] }),
    foreignKey({ columns: [t.messageId, t.chatId], foreignColumns: [messages.id, messages.chatId] }).onDelete(
      'cascade',
    ),
    foreignKey({
      columns: [t.attachmentId, t.chatId],
      foreignColumns: [attachments.id, attachments.chatId],
    }).onDelete('cascade'),
    index('message_attachments_attachment_idx').on(t.attachmentId, t.chatId),
  ],
);

/**
 * Follow-up work written in the same transaction as the change that needs it (a deleted
 * attachment's provider file, a deleted chat's store). The worker that drains it claims rows with
 * FOR UPDATE SKIP LOCKED and a lease.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    kind: varchar('kind', { length: 64 }).notNull(),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    availableAt: ts('available_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    /**
     * Set on each claim: only the holder of the current lease may finish the row, so a worker that
     * lost its lease (stalled, or presumed dead) cannot complete or fail a job another one now runs.
     */
    leaseToken: uuid('lease_token'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    completedAt: ts('completed_at'),
    deadAt: ts('dead_at'),
  },
  (t) => [
    index('outbox_due_idx').on(t.availableAt).where(sql`${t.completedAt} is null and ${t.deadAt} is null`),
    index('outbox_dead_idx').on(t.deadAt).where(sql`${t.deadAt} is not null`),
    // Retention: completed rows are pruned after a while.
    index('outbox_completed_idx').on(t.completedAt).where(sql`${t.completedAt} is not null`),
  ],
);

/** The `local` provider's vector stores: its "indexing" is our own full-text index below. */
export const localVectorStores = pgTable('local_vector_stores', {
  id: varchar('id', { length: 64 }).primaryKey(),
  /** As at OpenAI: the name carries the chat id, which is how reconciliation knows a store is ours. */
  name: varchar('name', { length: 128 }),
  createdAt: createdAt(),
});

export const localVectorStoreFiles = pgTable(
  'local_vector_store_files',
  {
    vectorStoreId: varchar('vector_store_id', { length: 64 })
      .notNull()
      .references(() => localVectorStores.id, { onDelete: 'cascade' }),
    fileId: varchar('file_id', { length: 256 }).notNull(),
    status: varchar('status', {
      length: 16,
      enum: ['in_progress', 'completed', 'failed', 'cancelled'],
    }).notNull(),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull(),
    lastError: text('last_error'),
    /** Its passages in the index: what a search weighs a word's frequency against. */
    chunks: integer('chunks').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.vectorStoreId, t.fileId] })],
);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The passages of the local index. Its migration (0006) also sets `toast_tuple_target`, which
 * drizzle cannot express: a row of a passage and its tsvector (2–3 KB) stays whole and
 * uncompressed in the table, so ranking reads each candidate's tsvector once, from its page,
 * instead of from the TOAST table for every word it tests.
 */
export const localChunks = pgTable(
  'local_chunks',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    vectorStoreId: varchar('vector_store_id', { length: 64 }).notNull(),
    fileId: varchar('file_id', { length: 256 }).notNull(),
    seq: integer('seq').notNull(),
    content: text('content').notNull(),
    /** The page a PDF passage starts on, from 1; null for documents without pages. */
    page: integer('page'),
    tsv: tsvector('tsv').notNull().generatedAlwaysAs(sql`to_tsvector('english', content)`),
  },
  (t) => [
    foreignKey({
      columns: [t.vectorStoreId, t.fileId],
      foreignColumns: [localVectorStoreFiles.vectorStoreId, localVectorStoreFiles.fileId],
    }).onDelete('cascade'),
    // The one index: the store and file are keys of the full-text index itself (btree_gin), so
    // a search reads only its own store's passages that have the words, however large the other
    // stores are. A second index on the store alone would offer the planner a path that reads all
    // of a store's passages to test each one, which it takes while its statistics are stale.
    index('local_chunks_search_idx').using('gin', t.vectorStoreId, t.fileId, t.tsv),
  ],
);

/**
 * How many passages of a file have each of its frequent words (as Postgres' `english` stems
 * them), written with its passages. Search reads it to tell a question's rare words from its
 * common ones before it touches a passage. Words in fewer than `LEXEME_MIN_PASSAGES`
 * (lib/file-stores/local/lexemes.ts) passages of the file are left out: most words are rare.
 */
export const localLexemes = pgTable(
  'local_lexemes',
  {
    vectorStoreId: varchar('vector_store_id', { length: 64 }).notNull(),
    fileId: varchar('file_id', { length: 256 }).notNull(),
    lexeme: text('lexeme').notNull(),
    passages: integer('passages').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.vectorStoreId, t.lexeme, t.fileId] }),
    foreignKey({
      columns: [t.vectorStoreId, t.fileId],
      foreignColumns: [localVectorStoreFiles.vectorStoreId, localVectorStoreFiles.fileId],
    }).onDelete('cascade'),
  ],
);

export const uploadStates = ['uploading', 'completing', 'completed', 'cancelled', 'expired'] as const;
export type UploadState = (typeof uploadStates)[number];

/**
 * A chunked upload (lib/attachments/chunked): its attachment row exists from the start
 * (`uploading`), holding the declared size against the limits; the parts wait in the file store's
 * staging area (`staging_ref`, opaque) until completion joins them.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey().$defaultFn(newId),
    attachmentId: uuid('attachment_id')
      .notNull()
      .references(() => attachments.id, { onDelete: 'cascade' }),
    tenantId: tenantRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    chatId: chatRef(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    partSize: integer('part_size').notNull(),
    partCount: integer('part_count').notNull(),
    /** As the client declared it; the attachment keeps the type it resolved to. */
    contentType: varchar('content_type', { length: 128 }).notNull(),
    filename: varchar('filename', { length: 255 }).notNull(),
    state: varchar('state', { length: 16, enum: uploadStates }).notNull().default('uploading'),
    /** Which file store stages the parts, and its handle on the staging area (an OpenAI upload id). */
    provider: varchar('provider', { length: 16 }).notNull(),
    stagingRef: varchar('staging_ref', { length: 512 }),
    /** Set once the staging area is known to be gone; until then the sweep keeps trying. */
    stagingReleasedAt: ts('staging_released_at'),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check(
      'uploads_state_valid',
      sql`${t.state} in ('uploading', 'completing', 'completed', 'cancelled', 'expired')`,
    ),
    check('uploads_size_positive', sql`${t.sizeBytes} > 0`),
    check('uploads_parts_valid', sql`${t.partSize} > 0 and ${t.partCount} between 1 and 10000`),
    uniqueIndex('uploads_attachment_uq').on(t.attachmentId),
    // The expiry sweep's rows: unfinished uploads, and finished ones whose staging is not yet gone.
    index('uploads_sweep_idx')
      .on(t.expiresAt)
      .where(sql`${t.state} in ('uploading', 'completing') or ${t.stagingReleasedAt} is null`),
  ],
);

/** A received part: what it held (size, SHA-256) and the staging's handle on it. */
export const uploadParts = pgTable(
  'upload_parts',
  {
    uploadId: uuid('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    partNumber: integer('part_number').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Hex SHA-256 of the part's bytes. */
    sha256: varchar('sha256', { length: 64 }).notNull(),
    /** Null while the part is being staged: the row is the claim on its number. */
    partRef: varchar('part_ref', { length: 256 }),
    /**
     * Text only: the UTF-8 continuation bytes the part starts with and the unfinished sequence it
     * ends with (0-3 bytes each), so that completion can check the characters split across parts.
     */
    textHead: bytea('text_head'),
    textTail: bytea('text_tail'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.uploadId, t.partNumber] }),
    check('upload_parts_number_valid', sql`${t.partNumber} >= 1`),
    check('upload_parts_size_valid', sql`${t.sizeBytes} > 0`),
  ],
);

export type User = typeof users.$inferSelect;
export type Chat = typeof chats.$inferSelect;
export type Attachment = typeof attachments.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type ChatTurn = typeof chatTurns.$inferSelect;
export type Upload = typeof uploads.$inferSelect;
export type UploadPart = typeof uploadParts.$inferSelect;
