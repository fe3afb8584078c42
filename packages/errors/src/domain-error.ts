/**
 * Domain errors: what went wrong, in the domain's words, with no HTTP in sight. Domain code and use cases throw
 * these (import them from `@vcd/errors/domain`, which pulls in neither Koa nor HTTP statuses); the one error
 * middleware maps each kind to an HTTP status (error-middleware.ts), and the stable `code` travels unchanged.
 */

/** What kind of failure it is; the HTTP mapping lives in the error middleware, not here. */
export type DomainErrorKind =
  /** The input breaks a rule (HTTP 422). */
  | 'invalid'
  /** The caller could not be identified or the credentials are wrong (401). */
  | 'unauthenticated'
  /** The caller is known but may not do this (403). */
  | 'forbidden'
  /** What the caller names does not exist, or is not theirs to see (404). */
  | 'not_found'
  /** The change conflicts with the current state (409). */
  | 'conflict';

/** What a client shows when no field is named: "<subject> <reason>" (e.g. "email or password is invalid"). */
export interface DomainErrorSubject {
  subject: string;
  reason: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly kind: DomainErrorKind;
  /** Field-level problems, e.g. { username: ['has already been taken'] }. */
  readonly fields?: Record<string, string[]>;
  /** The subject and reason when no field is named. */
  readonly subject?: DomainErrorSubject;

  constructor(kind: DomainErrorKind, code: string, message: string, details: { fields?: Record<string, string[]>; subject?: DomainErrorSubject } = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.fields = details.fields;
    this.subject = details.subject;
  }

  /** Input that breaks a rule, per field (the message is the same as a request validation error's). */
  static invalid(fields: Record<string, string[]>, code = 'VALIDATION_FAILED'): DomainError {
    return new DomainError('invalid', code, 'The request is invalid', { fields });
  }

  /** `subject` names what was not found, as a RealWorld client shows it: "user not found". */
  static notFound(code: string, message: string, subject = 'resource'): DomainError {
    return new DomainError('not_found', code, message, { subject: { subject, reason: 'not found' } });
  }

  static unauthenticated(code: string, message: string, subject: DomainErrorSubject): DomainError {
    return new DomainError('unauthenticated', code, message, { subject });
  }

  static forbidden(code: string, message: string, subject?: DomainErrorSubject): DomainError {
    return new DomainError('forbidden', code, message, { subject });
  }

  static conflict(code: string, message: string, subject?: DomainErrorSubject): DomainError {
    return new DomainError('conflict', code, message, { subject });
  }
}

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;
