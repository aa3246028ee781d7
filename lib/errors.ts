/**
 * The one typed domain error. Services throw it; the HTTP edge maps it to RFC 9457 problem JSON
 * (lib/http/problem.ts). `code` is the stable machine-readable token clients branch on.
 */
export type ErrorCode =
  | 'validation_error'
  | 'invalid_model'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'email_taken'
  | 'internal';

const titles: Record<ErrorCode, string> = {
  validation_error: 'Validation error',
  invalid_model: 'Invalid model',
  not_found: 'Not found',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  conflict: 'Conflict',
  email_taken: 'Email already registered',
  internal: 'Internal error',
};

const statuses: Record<ErrorCode, number> = {
  validation_error: 400,
  invalid_model: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  email_taken: 409,
  internal: 500,
};

export interface AppErrorOptions {
  /** Extra members of the problem document, e.g. `{ quota_scope: 'user' }`. */
  extensions?: Record<string, unknown>;
  /** Response headers such as Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = statuses[code];
    this.title = titles[code];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found.`);

export const validationError = (detail: string, errors?: { field: string; message: string }[]) =>
  new AppError('validation_error', detail, errors ? { extensions: { errors } } : {});
