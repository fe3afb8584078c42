import test from 'ava';
import type { Context } from 'koa';
import { AppError, errorMiddleware, tooManyRequests, validationError } from '../src/index.js';

const logged: unknown[] = [];
const logger = { error: (o: object) => void logged.push(o), warn: () => undefined };

function fakeCtx(style?: 'realworld') {
  const headers: Record<string, string> = {};
  return {
    ctx: { path: '/x', method: 'GET', state: { requestId: 'r1', route: style ? { style } : undefined }, set: (k: string, v: string) => (headers[k] = v) } as unknown as Context & { body: any; status: number; type: string }, // eslint-disable-line @typescript-eslint/no-explicit-any
    headers,
  };
}

test('typed errors become problem+json with their stable code', async (t) => {
  const { ctx } = fakeCtx();
  await errorMiddleware({ logger })(ctx, async () => {
    throw new AppError('BLOG.POST_NOT_FOUND', 404, 'No such article');
  });
  t.is(ctx.status, 404);
  t.is(ctx.type, 'application/problem+json');
  t.like(ctx.body, { status: 404, code: 'BLOG.POST_NOT_FOUND', detail: 'No such article', requestId: 'r1' });
});

test('RealWorld routes answer validation errors as {"errors":{field:[…]}}', async (t) => {
  const { ctx } = fakeCtx('realworld');
  await errorMiddleware({ logger, style: (c) => (c.state.route?.style === 'realworld' ? 'realworld' : 'problem') })(ctx, async () => {
    throw validationError({ email: ['is invalid'] });
  });
  t.is(ctx.status, 422);
  t.deepEqual(ctx.body, { errors: { email: ['is invalid'] } });
});

test('unknown errors are logged and never leaked', async (t) => {
  const { ctx } = fakeCtx();
  await errorMiddleware({ logger })(ctx, async () => {
    throw new Error('password=hunter2 at db.ts:12');
  });
  t.is(ctx.status, 500);
  t.false(JSON.stringify(ctx.body).includes('hunter2'));
  t.is(ctx.body.code, 'INTERNAL');
  t.true(logged.length > 0);
});

test('rate limit errors carry Retry-After', async (t) => {
  const { ctx, headers } = fakeCtx();
  await errorMiddleware({ logger })(ctx, async () => {
    throw tooManyRequests(2.2);
  });
  t.is(ctx.status, 429);
  t.is(headers['Retry-After'], '3');
});
