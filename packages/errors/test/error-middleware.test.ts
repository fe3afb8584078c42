import test from 'ava';
import type { Context } from 'koa';
import { DomainError } from '@vcd/errors/domain';
import { AppError, errorMiddleware, forbidden, notFound, realWorldErrors, tooManyRequests, unauthorized, validationError } from '../src/index.js';

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
  t.deepEqual(ctx.body, { errors: { email: ['is invalid'] }, code: 'VALIDATION_FAILED', requestId: 'r1' });
});

const realWorld = { logger, style: (c: Context) => (c.state.route?.style === 'realworld' ? ('realworld' as const) : ('problem' as const)) };
const isErrorsObject = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { errors?: unknown }).errors === 'object' &&
  Object.values((body as { errors: object }).errors).every((v) => Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string'));

test('RealWorld routes answer every other error in the RealWorld shape too, with the code beside it', async (t) => {
  const cases: [Error | AppError, number, Record<string, string[]>][] = [
    [new AppError('AUTH.INVALID_CREDENTIALS', 401, 'Email or password is wrong', { subject: { subject: 'email or password', reason: 'is invalid' } }), 401, { 'email or password': ['is invalid'] }],
    [unauthorized(), 401, { token: ['is missing'] }],
    [forbidden('BLOG.NOT_ARTICLE_AUTHOR', 'no', { subject: 'article', reason: 'can only be changed by its author or an editor' }), 403, { article: ['can only be changed by its author or an editor'] }],
    [notFound('BLOG.ARTICLE_NOT_FOUND', 'No article "x"', 'article'), 404, { article: ['not found'] }],
    [tooManyRequests(1.5), 429, { 'rate limit': ['exceeded, retry in 2 s'] }],
    [new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 503, 'The service is unavailable'), 503, { service: ['is unavailable, retry shortly'] }],
    [Object.assign(new Error('Payload Too Large'), { status: 413, expose: true }), 413, { body: ['is too large'] }],
    [new Error('secret internals'), 500, { server: ['had an unexpected error'] }],
  ];
  for (const [err, status, errors] of cases) {
    const { ctx } = fakeCtx('realworld');
    await errorMiddleware(realWorld)(ctx, async () => {
      throw err;
    });
    t.is(ctx.status, status, err.message);
    t.is(ctx.type, 'application/json');
    t.deepEqual(ctx.body.errors, errors);
    t.true(isErrorsObject(ctx.body));
    t.is(ctx.body.requestId, 'r1');
    t.false(JSON.stringify(ctx.body).includes('secret internals'));
  }
});

test('routes outside RealWorld keep problem+json for the same errors', async (t) => {
  const { ctx } = fakeCtx();
  await errorMiddleware(realWorld)(ctx, async () => {
    throw unauthorized();
  });
  t.is(ctx.type, 'application/problem+json');
  t.like(ctx.body, { status: 401, code: 'UNAUTHORIZED' });
});

test('an error with neither fields nor a subject still gets a RealWorld subject from its status', (t) => {
  for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 418, 422, 429, 500, 502, 503, 504, 599]) {
    const errors = realWorldErrors({ status });
    t.true(isErrorsObject({ errors }), String(status));
    t.is(Object.keys(errors).length, 1);
  }
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

test('domain errors carry no HTTP status: the middleware maps their kind, keeping code, fields and subject', async (t) => {
  const cases: [DomainError, number, Record<string, string[]>][] = [
    [DomainError.invalid({ username: ['has already been taken'] }), 422, { username: ['has already been taken'] }],
    [DomainError.notFound('AUTH.USER_NOT_FOUND', 'No user with this username', 'user'), 404, { user: ['not found'] }],
    [DomainError.unauthenticated('AUTH.INVALID_CREDENTIALS', 'Email or password is wrong', { subject: 'email or password', reason: 'is invalid' }), 401, { 'email or password': ['is invalid'] }],
    [DomainError.forbidden('BLOG.NOT_AUTHOR', 'Only the author may'), 403, { permission: ['is denied'] }],
    [DomainError.conflict('BLOG.SLUG_TAKEN', 'Taken'), 409, { request: ['conflicts with the current state'] }],
  ];
  for (const [err, status, errors] of cases) {
    t.false('status' in err, 'a domain error has no HTTP status');
    const { ctx } = fakeCtx('realworld');
    await errorMiddleware(realWorld)(ctx, async () => {
      throw err;
    });
    t.is(ctx.status, status);
    t.deepEqual(ctx.body, { errors, code: err.code, requestId: 'r1' });
    const problem = fakeCtx();
    await errorMiddleware({ logger })(problem.ctx, async () => {
      throw err;
    });
    t.like(problem.ctx.body, { status, code: err.code, detail: err.message });
  }
});
