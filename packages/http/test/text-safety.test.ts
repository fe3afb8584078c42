import test from 'ava';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { z } from 'zod';
import { errorMiddleware } from '@vcd/errors';
import { defineRoute, isSafeText, mountRoutes, unsafeTextFields, UNSAFE_TEXT_MESSAGE } from '../src/index.js';

test('NUL and lone surrogates are unsafe; ordinary text, emoji and paired surrogates are fine', (t) => {
  for (const s of ['', 'hello', 'Grüße — naïve', '😀 (a surrogate pair)', '\u{10FFFF}']) t.true(isSafeText(s), JSON.stringify(s));
  for (const s of ['a\u0000b', '\u0000', 'x\ud800', '\udc00y', 'a\ud800\ud800', '\udfff\ud800']) t.false(isSafeText(s), JSON.stringify(s));
});

test('the walk names each offending field the way validation errors do (envelope stripped for bodies)', (t) => {
  const body = { article: { title: 'ok\u0000', description: 'fine', tagList: ['a', 'b\ud800'], nested: { deep: '\udc00' } } };
  t.deepEqual(unsafeTextFields(body, true).sort(), ['nested.deep', 'tagList.1', 'title']);
  t.deepEqual(unsafeTextFields({ tag: 'x\u0000' }), ['tag']);
  t.deepEqual(unsafeTextFields({ tag: ['a', '\u0000'] }), ['tag.1']);
  t.deepEqual(unsafeTextFields('\u0000', true), ['body'], 'a bare string body');
  t.deepEqual(unsafeTextFields({ article: { ['ti\u0000tle']: 'x' } }, true), ['article'], 'a bad key is reported on its parent');
  t.deepEqual(unsafeTextFields({ n: 1, b: true, z: null, s: 'fine' }), []);
});

/** A tiny app with one declared route, mounted the way every service mounts its routes. */
async function serveRoutes() {
  const seen: unknown[] = [];
  const route = defineRoute({
    method: 'post',
    path: '/api/articles/:slug/comments',
    operationId: 'CreateComment',
    summary: 'Comment',
    tags: ['Comments'],
    auth: 'public',
    style: 'realworld',
    request: {
      params: z.object({ slug: z.string() }),
      query: z.object({ tag: z.string().optional() }),
      body: z.object({ comment: z.object({ body: z.string().min(1) }) }),
    },
    responses: { 200: { description: 'ok' } },
    handler: (input) => {
      seen.push(input);
      return { body: { ok: true } };
    },
  });
  const app = new Koa();
  app.use(errorMiddleware({ logger: { error: () => undefined, warn: () => undefined }, style: () => 'realworld' }));
  const router = mountRoutes([route]);
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: string) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { post, seen, close: () => server.close() };
}

test('a declared route answers 422 naming the field for NUL or a lone surrogate in body, query or path, and never runs the handler', async (t) => {
  const app = await serveRoutes();
  t.teardown(app.close);
  // JSON escapes reach the service as the characters themselves after parsing.
  const nulBody = await app.post('/api/articles/ok/comments', '{"comment":{"body":"hi\\u0000there"}}');
  t.is(nulBody.status, 422);
  t.deepEqual(nulBody.body.errors, { body: [UNSAFE_TEXT_MESSAGE] });
  const surrogateBody = await app.post('/api/articles/ok/comments', '{"comment":{"body":"\\ud800"}}');
  t.is(surrogateBody.status, 422);
  t.deepEqual(surrogateBody.body.errors, { body: [UNSAFE_TEXT_MESSAGE] });
  const nulQuery = await app.post('/api/articles/ok/comments?tag=a%00b', '{"comment":{"body":"fine"}}');
  t.is(nulQuery.status, 422);
  t.deepEqual(nulQuery.body.errors, { tag: [UNSAFE_TEXT_MESSAGE] });
  const nulPath = await app.post('/api/articles/a%00b/comments', '{"comment":{"body":"fine"}}');
  t.is(nulPath.status, 422);
  t.deepEqual(nulPath.body.errors, { slug: [UNSAFE_TEXT_MESSAGE] });
  t.deepEqual(app.seen, [], 'the handler never saw any of them');

  const fine = await app.post('/api/articles/ok/comments?tag=%F0%9F%98%80', '{"comment":{"body":"😀 \\ud83d\\ude00"}}');
  t.is(fine.status, 200, 'paired surrogates (emoji) pass');
  t.is(app.seen.length, 1);
});
