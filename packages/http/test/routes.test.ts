import test from 'ava';
import { z } from 'zod';
import { buildOpenApi, defineRoute, fieldErrors, toOpenApiPath, assertAuthorized, isPublicPath } from '../src/index.js';

const route = defineRoute({
  method: 'post',
  path: '/api/articles/:slug/comments',
  operationId: 'CreateArticleComment',
  summary: 'Comment',
  tags: ['Comments'],
  auth: 'user',
  request: { params: z.object({ slug: z.string() }), body: z.object({ comment: z.object({ body: z.string().min(1) }) }) },
  responses: { 200: { description: 'ok', schema: z.object({ comment: z.object({ id: z.number() }) }) } },
  handler: () => ({}),
});

test('validation errors name the field inside the RealWorld envelope', (t) => {
  const schema = z.object({ user: z.object({ email: z.string().email('is invalid'), password: z.string().min(8, 'is too short') }) });
  const result = schema.safeParse({ user: { email: 'nope', password: 'x' } });
  t.false(result.success);
  t.deepEqual(fieldErrors(result.error!), { email: ['is invalid'], password: ['is too short'] });
});

test('a missing body is reported on "body"', (t) => {
  const result = z.object({ user: z.object({}) }).safeParse(undefined);
  t.deepEqual(Object.keys(fieldErrors(result.error!)), ['body']);
});

test('route declarations become OpenAPI operations with params, body and security', (t) => {
  const doc = buildOpenApi({ title: 't', version: '1' }, [route]);
  const op = doc.paths!['/api/articles/{slug}/comments']!.post!;
  t.is(op.operationId, 'CreateArticleComment');
  t.deepEqual(op.security, [{ Token: [] }]);
  t.deepEqual(op.parameters, [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }]);
  t.truthy(op.requestBody);
  t.truthy((op.responses as Record<string, unknown>)['200']);
});

test('internal routes stay out of the public document', (t) => {
  const doc = buildOpenApi({ title: 't', version: '1' }, [{ ...route, auth: 'internal' }]);
  t.deepEqual(doc.paths, {});
});

test('koa-router paths map to OpenAPI paths', (t) => {
  t.is(toOpenApiPath('/api/articles/:slug/comments/:id'), '/api/articles/{slug}/comments/{id}');
});

test('role checks: anonymous, insufficient role, enough role', (t) => {
  const user = { userId: 'u', username: 'u', role: 'user' as const, sessionId: 's' };
  t.is(t.throws(() => assertAuthorized('user', undefined, 'gateway'))?.message, 'Authentication is required');
  t.regex(t.throws(() => assertAuthorized('editor', user, 'gateway'))!.message, /editor/);
  t.notThrows(() => assertAuthorized('editor', { ...user, role: 'admin' }, 'gateway'));
  t.notThrows(() => assertAuthorized('optional', undefined, 'gateway'));
  t.throws(() => assertAuthorized('internal', undefined, undefined));
});

test('public paths are /api/ and /feeds/ (answered to the gateway only); a parameter with an extension maps to OpenAPI', (t) => {
  t.true(isPublicPath('/api/tags'));
  t.true(isPublicPath('/feeds/articles.atom'));
  for (const p of ['/feeds', '/feedsx/a', '/internal/x', '/openapi.json', '/apix']) t.false(isPublicPath(p), p);
  t.is(toOpenApiPath('/feeds/tags/:tag.atom'), '/feeds/tags/{tag}.atom');
});
