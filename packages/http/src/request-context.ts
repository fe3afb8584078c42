import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '@vcd/logging';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (kept from x-request-id when sane), a child logger and an access log line. */
export function requestContext(logger: Logger, options: { quietPaths?: string[] } = {}) {
  const quiet = new Set(options.quietPaths ?? ['/healthz', '/readyz', '/dapr/config', '/dapr/subscribe']);
  return async function withRequestContext(ctx: Context, next: Next) {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // The per-request child logger is made only when something logs (pino children are not free).
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { configurable: true, enumerable: true, get: () => (child ??= logger.child({ requestId })) });
    ctx.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      if (!quiet.has(ctx.path) && logger.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const caller = ctx.get('dapr-caller-app-id') || undefined;
        (ctx.state.log as Logger).info(
          { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, caller },
          'request',
        );
      }
    }
  };
}
