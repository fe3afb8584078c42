import type { AppError } from './app-error.js';

/** The RealWorld error body: `{"errors":{"<field or subject>":["<message>"]}}`, plus our stable code and request id. */
export interface RealWorldErrorBody {
  errors: Record<string, string[]>;
  code: string;
  requestId?: string;
}

/** Subject and reason of errors that name neither a field nor a subject of their own, by status. */
const BY_STATUS: Record<number, [string, string]> = {
  400: ['request', 'is malformed'],
  401: ['token', 'is missing, invalid or expired'],
  403: ['permission', 'is denied'],
  404: ['resource', 'not found'],
  405: ['method', 'is not allowed'],
  409: ['request', 'conflicts with the current state'],
  413: ['body', 'is too large'],
  415: ['body', 'must be JSON (application/json)'],
  422: ['request', 'is invalid'],
  429: ['rate limit', 'exceeded, retry later'],
  500: ['server', 'had an unexpected error'],
  502: ['service', 'is unavailable, retry shortly'],
  503: ['service', 'is unavailable, retry shortly'],
  504: ['service', 'did not answer in time'],
};

/** The `errors` object of an AppError as RealWorld clients read it: its fields, else its subject, else by status. */
export function realWorldErrors(err: Pick<AppError, 'status' | 'fields' | 'subject'>): Record<string, string[]> {
  if (err.fields && Object.keys(err.fields).length > 0) return err.fields;
  if (err.subject) return { [err.subject.subject]: [err.subject.reason] };
  const [subject, reason] = BY_STATUS[err.status] ?? (err.status >= 500 ? BY_STATUS[500]! : BY_STATUS[400]!);
  return { [subject]: [reason] };
}

export function toRealWorldError(err: Pick<AppError, 'status' | 'fields' | 'subject' | 'code'>, requestId?: string): RealWorldErrorBody {
  return { errors: realWorldErrors(err), code: err.code, ...(requestId ? { requestId } : {}) };
}
