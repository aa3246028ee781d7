const catalog = {
  validation_error: [400, 'Validation error'],
  invalid_model: [400, 'Invalid model'],
  model_unavailable: [409, 'Model unavailable for this chat'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  cross_site_request: [403, 'Cross-site request refused'],
  not_found: [404, 'Not found'],
  conflict: [409, 'Conflict'],
  email_taken: [409, 'Email already registered'],
  signup_closed: [403, 'Sign-up closed'],
  too_many_attempts: [429, 'Too many attempts'],
  payload_too_large: [413, 'Request body too large'],
  // Per-user caps on creating chats, messages and API tokens (lib/rate-limits).
  rate_limit_exceeded: [429, 'Rate limit exceeded'],
  token_limit_exceeded: [409, 'Token limit reached'],
  // Sending messages: upstream's pre-stream codes.
  invalid_attachment: [400, 'Invalid attachment'],
  too_many_images: [400, 'Too many images'],
  generation_in_progress: [409, 'Generation in progress'],
  request_id_conflict: [409, 'Request id already used'],
  not_latest_turn: [409, 'Not the latest turn'],
  input_too_long: [422, 'Message too long for the model'],
  internal: [500, 'Internal error'],
  // Attachments: upstream's codes, plus our content check, quotas and kill switches.
  missing_boundary: [400, 'Missing multipart boundary'],
  multipart_error: [400, 'Malformed multipart body'],
  missing_file: [400, 'Missing file part'],
  missing_content_type: [400, 'Missing part content type'],
  filename_too_long: [400, 'File name too long'],
  empty_file: [400, 'Empty file'],
  upload_timeout: [408, 'Upload timed out'],
  document_limit_exceeded: [400, 'Document limit exceeded'],
  storage_limit_exceeded: [400, 'Chat storage limit exceeded'],
  storage_quota_exceeded: [400, 'Storage quota exceeded'],
  images_disabled: [403, 'Images are turned off'],
  uploads_disabled: [403, 'Uploads are turned off'],
  attachment_locked: [409, 'Attachment locked'],
  content_unavailable: [409, 'Original not available'],
  provider_mismatch: [409, 'Provider mismatch'],
  file_too_large: [413, 'File too large'],
  unsupported_file_type: [415, 'Unsupported file type'],
  content_type_mismatch: [415, 'Content does not match its type'],
  range_not_satisfiable: [416, 'Range not satisfiable'],
  code_interpreter_unavailable: [422, 'Code interpreter unavailable'],
  file_search_unavailable: [422, 'File search unavailable'],
  provider_unavailable: [502, 'Provider unavailable'],
  upload_failed: [502, 'Upload failed'],
  vector_store_failed: [502, 'Vector store failed'],
  vector_store_race: [502, 'Vector store race'],
  indexing_failed: [502, 'Indexing failed'],
  service_unavailable: [503, 'Service unavailable'],
  upload_concurrency_limit: [503, 'Too many uploads'],
  vector_store_timeout: [503, 'Vector store not ready'],
  // Chunked uploads (lib/attachments/chunked).
  part_size_mismatch: [400, 'Part has the wrong size'],
  part_conflict: [409, 'Part already received with other content'],
  upload_incomplete: [409, 'Upload incomplete'],
  upload_expired: [409, 'Upload expired'],
  upload_cancelled: [409, 'Upload cancelled'],
  upload_completed: [409, 'Upload already completed'],
  digest_mismatch: [422, 'Content digest mismatch'],
} as const satisfies Record<string, readonly [number, string]>;

/**
 * The one typed domain error's codes. Services throw AppError; the HTTP edge maps it to RFC 9457
 * problem JSON (lib/http/problem.ts). `code` is the stable machine-readable token clients branch on.
 */
export type ErrorCode = keyof typeof catalog;

export interface AppErrorOptions {
  /** Extra members of the problem document, e.g. `{ quota_scope: 'user' }`. */
  extensions?: Record<string, unknown>;
  /** Response headers such as Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

const brandSymbol = (brand: string) => Symbol.for(`mini-chat.${brand}`);

/**
 * The base of our error classes. Next bundles the app more than once (route handlers,
 * instrumentation), and process-wide singletons built in one bundle throw into another: so
 * `instanceof` asks for a registered brand, not for the copy of the class that made the error.
 * Each class names itself once, in `static readonly brand`: its brand, and its errors' `name`
 * (class names do not survive minification).
 */
export abstract class BrandedError extends Error {
  declare static readonly brand: string;

  static [Symbol.hasInstance](this: { readonly brand: string }, value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof.
    return typeof value === 'object' && value !== null && brandSymbol(this.brand) in value;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const own = new.target as unknown as typeof BrandedError;
    // An inherited brand would make the parent's errors pass for this class's.
    if (!Object.hasOwn(own, 'brand')) throw new TypeError(`${own.name} must declare its own brand`);
    // Every brand up the chain: a subclass's errors are its parents' too.
    for (let c = own; c !== BrandedError; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) Object.defineProperty(this, brandSymbol(c.brand), { value: true });
    }
    this.name = own.brand;
  }
}

/** A branded error with a stable machine-readable `code` from its own list. */
export abstract class CodedError<Code extends string> extends BrandedError {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The one typed domain error: services throw it, and the HTTP edge maps it to problem JSON, its
 * status and title from the catalog above.
 */
export class AppError extends CodedError<ErrorCode> {
  static readonly brand = 'AppError';

  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(code, detail, { cause: options.cause });
    [this.status, this.title] = catalog[code];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found.`);

export const validationError = (detail: string, errors?: { field: string; message: string }[]) =>
  new AppError('validation_error', detail, errors ? { extensions: { errors } } : {});
