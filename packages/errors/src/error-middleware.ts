import type { Context, Next } from 'koa';
import { AppError, isAppError } from './app-error.js';
import { isDomainError } from './domain-error.js';
import { domainErrorToHttp } from './domain-to-http.js';
import { internalProblem, PROBLEM_CONTENT_TYPE, toProblem } from './problem-details.js';
import { toRealWorldError } from './realworld-errors.js';

export interface ErrorLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Decides the body shape for a failure. RealWorld routes answer every error (401, 403, 404, 422, 429, 5xx…) as
 * {"errors":{"<field or subject>":["<message>"]},"code":…,"requestId":…}; everything else answers
 * application/problem+json.
 */
export type ErrorStyle = (ctx: Context) => 'realworld' | 'problem';

const statusFromForeign = (err: unknown): number | undefined => {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  // http-errors style errors (koa's ctx.throw, body parsers, koa-jwt) mark client errors as exposable.
  return status && status >= 400 && status < 500 && e.expose !== false ? status : undefined;
};

/** The one place where errors become HTTP responses. Unknown errors are logged and never leaked. */
export function errorMiddleware(options: { logger: ErrorLogger; style?: ErrorStyle }) {
  return async function handleErrors(ctx: Context, next: Next) {
    try {
      await next();
    } catch (err) {
      const requestId = ctx.state.requestId as string | undefined;
      let appError: AppError | undefined;
      if (isAppError(err)) appError = err;
      else if (isDomainError(err)) appError = domainErrorToHttp(err);
      else {
        const status = statusFromForeign(err);
        if (status) {
          const code = status === 401 ? 'UNAUTHORIZED' : status === 413 ? 'PAYLOAD_TOO_LARGE' : `HTTP_${status}`;
          const message = status === 401 ? 'Authentication is required' : (err as Error).message || 'Bad request';
          appError = new AppError(code, status, message, status === 413 ? { subject: { subject: 'body', reason: 'is too large' } } : {});
        }
      }
      const realWorld = (options.style?.(ctx) ?? 'problem') === 'realworld';
      if (!appError) {
        options.logger.error({ err, requestId, method: ctx.method, path: ctx.path }, 'unhandled error');
        ctx.status = 500;
        if (realWorld) {
          ctx.type = 'application/json';
          ctx.body = toRealWorldError({ status: 500, code: 'INTERNAL' }, requestId);
          return;
        }
        ctx.type = PROBLEM_CONTENT_TYPE;
        ctx.body = internalProblem(ctx.path, requestId);
        return;
      }
      if (appError.status >= 500) options.logger.warn({ err: appError, requestId, cause: appError.cause }, appError.code);
      ctx.status = appError.status;
      for (const [k, v] of Object.entries(appError.headers ?? {})) ctx.set(k, v);
      if (realWorld) {
        ctx.type = 'application/json';
        ctx.body = toRealWorldError(appError, requestId);
        return;
      }
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = toProblem(appError, ctx.path, requestId);
    }
  };
}
