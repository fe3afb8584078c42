import { STATUS_CODES } from 'node:http';
import type { AppError } from './app-error.js';

/** RFC 9457 problem details, with our stable `code` extension. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: Record<string, string[]>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function toProblem(err: AppError, instance?: string, requestId?: string): ProblemDetails {
  return {
    type: `urn:vcd-simple-blog:problem:${err.code}`,
    title: STATUS_CODES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    instance,
    code: err.code,
    requestId,
    ...(err.fields ? { errors: err.fields } : {}),
  };
}

export function internalProblem(instance?: string, requestId?: string): ProblemDetails {
  return {
    type: 'urn:vcd-simple-blog:problem:INTERNAL',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred',
    instance,
    code: 'INTERNAL',
    requestId,
  };
}
