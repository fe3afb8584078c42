/**
 * What a RealWorld client shows for an error that names no field: `{"errors":{subject:[reason]}}`, which
 * RealWorld frontends print as "subject reason" (e.g. "email or password is invalid", "article not found").
 */
export interface ErrorSubject {
  subject: string;
  reason: string;
}

/** A failure the caller can act on: a stable string code, an HTTP status and a safe message. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  /** Field-level details, e.g. { email: ['has already been taken'] }. */
  readonly fields?: Record<string, string[]>;
  /** Extra headers for the response (e.g. Retry-After). */
  readonly headers?: Record<string, string>;
  /** The RealWorld subject and reason when no field is named (see realWorldErrors). */
  readonly subject?: ErrorSubject;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { fields?: Record<string, string[]>; headers?: Record<string, string>; subject?: ErrorSubject; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.fields = options.fields;
    this.headers = options.headers;
    this.subject = options.subject;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

export const validationError = (fields: Record<string, string[]>, code = 'VALIDATION_FAILED') =>
  new AppError(code, 422, 'The request is invalid', { fields });

/** `subject` names what was not found, as a RealWorld client shows it: "article not found". */
export const notFound = (code: string, message: string, subject = 'resource') =>
  new AppError(code, 404, message, { subject: { subject, reason: 'not found' } });
export const unauthorized = (code = 'UNAUTHORIZED', message = 'Authentication is required') =>
  new AppError(code, 401, message, { subject: { subject: 'token', reason: 'is missing' } });
export const forbidden = (code = 'FORBIDDEN', message = 'You are not allowed to do this', subject?: ErrorSubject) =>
  new AppError(code, 403, message, { subject });
export const conflict = (code: string, message: string, subject?: ErrorSubject) => new AppError(code, 409, message, { subject });
export const tooManyRequests = (retryAfterSeconds: number, code = 'RATE_LIMITED') => {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError(code, 429, 'Too many requests, retry later', {
    headers: { 'Retry-After': String(seconds) },
    subject: { subject: 'rate limit', reason: `exceeded, retry in ${seconds} s` },
  });
};
