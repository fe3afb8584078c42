/** A failure the caller can act on: a stable string code, an HTTP status and a safe message. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  /** Field-level details, e.g. { email: ['has already been taken'] }. */
  readonly fields?: Record<string, string[]>;
  /** Extra headers for the response (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { fields?: Record<string, string[]>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

export const validationError = (fields: Record<string, string[]>, code = 'VALIDATION_FAILED') =>
  new AppError(code, 422, 'The request is invalid', { fields });

export const notFound = (code: string, message: string) => new AppError(code, 404, message);
export const unauthorized = (code = 'UNAUTHORIZED', message = 'Authentication is required') =>
  new AppError(code, 401, message);
export const forbidden = (code = 'FORBIDDEN', message = 'You are not allowed to do this') =>
  new AppError(code, 403, message);
export const conflict = (code: string, message: string) => new AppError(code, 409, message);
export const tooManyRequests = (retryAfterSeconds: number, code = 'RATE_LIMITED') =>
  new AppError(code, 429, 'Too many requests, retry later', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
