import { AppError } from './app-error.js';
import type { DomainError, DomainErrorKind } from './domain-error.js';

/** The HTTP status of each kind of domain error: the only place a domain error meets HTTP. */
export const HTTP_STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** The domain error as the HTTP error the middleware answers (same code, message, fields and subject). */
export const domainErrorToHttp = (err: DomainError): AppError =>
  new AppError(err.code, HTTP_STATUS_OF[err.kind], err.message, { fields: err.fields, subject: err.subject, cause: err });
