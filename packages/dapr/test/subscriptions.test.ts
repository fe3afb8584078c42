import test from 'ava';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { PermanentEventError, subscription, subscriptionRouter, type Subscription } from '../src/index.js';

// The router as daprd meets it: a real HTTP server, CloudEvents posted to the delivery route, Dapr's status
// contract in the answer.

interface Logged {
  level: 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string;
}

async function serve(subscription: Subscription, maxEventBytes?: number) {
  const logged: Logged[] = [];
  const handled: string[] = [];
  const logger = {
    warn: (obj: object, msg?: string) => logged.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg?: string) => logged.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
  const app = new Koa();
  const router = subscriptionRouter({
    logger,
    maxEventBytes,
    subscriptions: [{ ...subscription, handler: async (event, ctx) => void (handled.push(event.id), await subscription.handler(event, ctx)) }],
  });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deliver = async (event: Record<string, unknown>) => {
    const res = await fetch(`${base}/events/${subscription.topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });
    return { http: res.status, ...((await res.json()) as { status: string }) };
  };
  const subscribe = async () => (await fetch(`${base}/dapr/subscribe`)).json();
  return { base, deliver, subscribe, logged, handled, close: () => server.close() };
}

const event = (source: unknown, id = 'e1') => ({ specversion: '1.0', id, source, type: 'post.published', datacontenttype: 'application/json', data: { slug: 's' } });
const fromBlog: Subscription = { topic: 'post.published', publishers: ['blog'], handler: async () => undefined };

test('an event from the publisher the subscription names reaches the handler', async (t) => {
  const s = await serve(fromBlog);
  t.teardown(s.close);
  t.deepEqual(await s.deliver(event('blog')), { http: 200, status: 'SUCCESS' });
  t.deepEqual(s.handled, ['e1']);
  t.deepEqual(s.logged, []);
});

test('an event of the right topic from another source is dropped (dead letter) unseen, and logged at warn', async (t) => {
  const s = await serve(fromBlog);
  t.teardown(s.close);
  t.deepEqual(await s.deliver(event('user', 'forged')), { http: 200, status: 'DROP' });
  t.deepEqual(s.handled, []);
  t.is(s.logged.length, 1);
  t.is(s.logged[0]!.level, 'warn');
  t.like(s.logged[0]!.obj, { topic: 'post.published', eventId: 'forged', source: 'user', expected: ['blog'] });
});

test('an event without a source, or with a source that only resembles the publisher, is dropped', async (t) => {
  const s = await serve(fromBlog);
  t.teardown(s.close);
  for (const source of [undefined, 42, '', 'Blog', 'blog ', 'blog/x', 'spiffe://public/ns/default/blog']) {
    t.is((await s.deliver(event(source, `e-${String(source)}`))).status, 'DROP', `source ${JSON.stringify(source)}`);
  }
  t.deepEqual(s.handled, []);
});

test('a subscription may name several publishers', async (t) => {
  const s = await serve({ ...fromBlog, publishers: ['blog', 'legacy-blog'] });
  t.teardown(s.close);
  t.is((await s.deliver(event('legacy-blog'))).status, 'SUCCESS');
  t.is((await s.deliver(event('auth', 'e2'))).status, 'DROP');
  t.deepEqual(s.handled, ['e1']);
});

test('handler failures keep their outcomes: permanent → DROP, anything else → RETRY', async (t) => {
  let failure: Error = new PermanentEventError('bad payload');
  const s = await serve({ ...fromBlog, handler: async () => Promise.reject(failure) });
  t.teardown(s.close);
  t.is((await s.deliver(event('blog'))).status, 'DROP');
  failure = new Error('database down');
  t.is((await s.deliver(event('blog', 'e2'))).status, 'RETRY');
});

test('GET /dapr/subscribe lists the topic with its route and the dead-letter topic', async (t) => {
  const s = await serve(fromBlog);
  t.teardown(s.close);
  t.deepEqual(await s.subscribe(), [{ pubsubname: 'pubsub', topic: 'post.published', route: '/events/post.published', deadLetterTopic: 'deadletter' }]);
});

// Typed subscriptions: the payload is parsed with the topic's schema from the event catalogue before the handler.

const published = { articleId: 'a1b2', slug: 'hello', title: 'Hello', authorId: '7d3c1f4e-9a6b-4c2d-8e1f-0a1b2c3d4e5f', publishedAt: '2026-11-29T23:00:00.000Z', version: 3 };

test('a typed subscription hands its handler the parsed payload (unknown fields dropped) and accepts only the topic\'s publisher', async (t) => {
  const seen: unknown[] = [];
  const s = await serve(subscription('post.published', async (data) => void seen.push(data)));
  t.teardown(s.close);
  t.deepEqual(await s.deliver({ ...event('blog'), data: { ...published, extra: 'ignored' } }), { http: 200, status: 'SUCCESS' });
  t.deepEqual(seen, [published]);
  t.is((await s.deliver({ ...event('user', 'e2'), data: published })).status, 'DROP');
  t.is(seen.length, 1);
  // An event written before versions existed parses as version 0: older than any versioned one.
  const { version: _none, ...unversioned } = published;
  t.is((await s.deliver({ ...event('blog', 'e3'), data: unversioned })).status, 'SUCCESS');
  t.deepEqual(seen[1], { ...unversioned, version: 0 });
});

test('a forged or malformed payload is dropped (dead letter) unseen by the typed handler, and logged at warn', async (t) => {
  const seen: unknown[] = [];
  const s = await serve(subscription('post.published', async (data) => void seen.push(data)));
  t.teardown(s.close);
  const bad: unknown[] = [
    undefined,
    null,
    'post.published',
    [published],
    { ...published, authorId: 'not-a-uuid' },
    { ...published, publishedAt: 'yesterday' },
    { ...published, slug: '' },
    { ...published, title: 'x'.repeat(1001) },
    { ...published, articleId: 42 },
    { ...published, version: -1 },
    { ...published, version: 1.5 },
    { ...published, version: '4' },
    { slug: 'hello' },
    { ...published, __proto__: { authorId: published.authorId }, authorId: undefined },
  ];
  for (const [i, data] of bad.entries()) {
    t.is((await s.deliver({ ...event('blog', `bad-${i}`), data })).status, 'DROP', `payload ${i}`);
  }
  t.deepEqual(seen, []);
  t.true(s.logged.every((l) => l.level === 'warn'));
  t.is(s.logged.length, bad.length);
});

test('a typed subscription keeps a route given to it', async (t) => {
  const sub = subscription('profile.updated', async () => undefined, { route: '/events/broadcast/profile.updated' });
  t.is(sub.route, '/events/broadcast/profile.updated');
  t.deepEqual(sub.publishers, ['user']);
});

// Size limit: an oversize CloudEvent is refused unread (DROP: it can never succeed), whether its size is declared or not.

const padded = (bytes: number) => ({ ...event('blog', `big-${bytes}`), data: { slug: 's', pad: 'x'.repeat(bytes) } });

test('a CloudEvent over the size limit is dropped unparsed even when it is a valid event; one under it is handled', async (t) => {
  const s = await serve(fromBlog, 4096);
  t.teardown(s.close);
  t.is((await s.deliver(padded(3000))).status, 'SUCCESS');
  t.deepEqual(await s.deliver(padded(5000)), { http: 200, status: 'DROP' });
  t.deepEqual(s.handled, ['big-3000']);
  t.like(s.logged.at(-1), { level: 'warn', msg: 'event dropped unread: body over the size limit' });
});

test('an oversize body sent without a length (chunked) is refused once it passes the limit, before the sender ends it', async (t) => {
  const s = await serve(fromBlog, 4096);
  t.teardown(s.close);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${s.base}/events/post.published`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', 'transfer-encoding': 'chunked' } });
    req.on('response', async (res) => {
      let body = '';
      for await (const c of res) body += String(c);
      resolve({ status: res.statusCode!, body });
    });
    req.on('error', reject);
    // 8 KiB now, and the body is never ended: only a server that stops reading at the limit answers.
    req.write(JSON.stringify(padded(8192)).slice(0, 8192));
  });
  t.deepEqual({ status: answer.status, body: JSON.parse(answer.body) }, { status: 200, body: { status: 'DROP' } });
  t.deepEqual(s.handled, []);
});

test('a declared Content-Length over the limit is refused at once, before any of the body arrives', async (t) => {
  const s = await serve(fromBlog, 4096);
  t.teardown(s.close);
  const { port } = new URL(s.base);
  const socket = connect(Number(port), '127.0.0.1');
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  socket.write(`POST /events/post.published HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 10000000000\r\n\r\n`);
  let raw = '';
  socket.on('data', (c) => (raw += String(c)));
  await once(socket, 'end');
  t.regex(raw, /^HTTP\/1\.1 200/);
  t.regex(raw, /"status":"DROP"/);
  t.regex(raw, /connection: close/i);
  t.deepEqual(s.handled, []);
});

// Bulk deliveries (Dapr bulk subscribe): one request, an outcome per entry id.

async function serveBulk(subscription: Subscription, maxEventBytes?: number) {
  const s = await serve({ ...subscription, bulk: { maxMessages: 8, maxAwaitMs: 5 } }, maxEventBytes);
  const deliverBulk = async (entries: unknown[]) => {
    const res = await fetch(`${s.base}/events/${subscription.topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'b1', type: 'com.dapr.event.sent.bulk', topic: subscription.topic, pubsubname: 'pubsub', metadata: {}, entries }),
    });
    return { http: res.status, ...((await res.json()) as { statuses: { entryId: string; status: string }[] }) };
  };
  return { ...s, deliverBulk };
}
const entry = (entryId: string, e: unknown) => ({ entryId, event: e, contentType: 'application/cloudevents+json', metadata: {} });
const outcomes = (r: { statuses: { entryId: string; status: string }[] }) => Object.fromEntries(r.statuses.map((x) => [x.entryId, x.status]));

test('GET /dapr/subscribe asks for bulk delivery with the batch limits of a bulk subscription', async (t) => {
  const s = await serveBulk(fromBlog);
  t.teardown(s.close);
  t.deepEqual(await s.subscribe(), [
    { pubsubname: 'pubsub', topic: 'post.published', route: '/events/post.published', deadLetterTopic: 'deadletter', bulkSubscribe: { enabled: true, maxMessagesCount: 8, maxAwaitDurationMs: 5 } },
  ]);
});

test('a batch gets an outcome per entry: forged, malformed and failing entries apart from the good ones', async (t) => {
  const s = await serveBulk({
    ...fromBlog,
    handler: async (e) => {
      if (e.id === 'bad-data') throw new PermanentEventError('bad payload');
      if (e.id === 'db-down') throw new Error('database down');
    },
  });
  t.teardown(s.close);
  const r = await s.deliverBulk([
    entry('1', event('blog', 'ok-1')),
    entry('2', event('user', 'forged')),
    entry('3', 'not a cloud event'),
    entry('4', { ...event('blog'), id: 42 }),
    entry('5', event('blog', 'bad-data')),
    entry('6', event('blog', 'db-down')),
    entry('7', event('blog', 'ok-2')),
    { event: event('blog', 'no-entry-id') },
    null,
  ]);
  t.is(r.http, 200);
  // An entry without an id gets no status: daprd retries whatever it gets none for.
  t.deepEqual(outcomes(r), { 1: 'SUCCESS', 2: 'DROP', 3: 'DROP', 4: 'DROP', 5: 'DROP', 6: 'RETRY', 7: 'SUCCESS' });
  t.deepEqual(s.handled, ['ok-1', 'bad-data', 'db-down', 'ok-2']);
});

test('a batch handler applies the accepted events together; when it fails, each event goes through the handler alone', async (t) => {
  const batches: string[][] = [];
  let batchFails = false;
  const s = await serveBulk({
    ...fromBlog,
    handler: async (e) => {
      if (e.id === 'poison') throw new PermanentEventError('bad payload');
    },
    batchHandler: async (events) => {
      batches.push(events.map((e) => e.id));
      if (batchFails) throw new Error('one of them is poison');
    },
  });
  t.teardown(s.close);
  const r1 = await s.deliverBulk([entry('a', event('blog', 'e1')), entry('b', event('user', 'forged')), entry('c', event('blog', 'e2'))]);
  t.deepEqual(outcomes(r1), { a: 'SUCCESS', b: 'DROP', c: 'SUCCESS' });
  t.deepEqual(batches, [['e1', 'e2']]);
  t.deepEqual(s.handled, []);
  batchFails = true;
  const r2 = await s.deliverBulk([entry('a', event('blog', 'e3')), entry('b', event('blog', 'poison')), entry('c', event('blog', 'e4'))]);
  t.deepEqual(outcomes(r2), { a: 'SUCCESS', b: 'DROP', c: 'SUCCESS' });
  t.deepEqual(s.handled, ['e3', 'poison', 'e4']);
  t.true(s.logged.some((l) => l.msg === 'batch not applied; its events go one by one'));
});

test('in a batch, only the entry over the size limit is dropped; a single event over it is refused on a bulk route too', async (t) => {
  const s = await serveBulk(fromBlog, 4096);
  t.teardown(s.close);
  const r = await s.deliverBulk([entry('small', padded(3000)), entry('big', padded(5000)), entry('small2', { ...padded(2000), id: 'two' })]);
  t.deepEqual(outcomes(r), { small: 'SUCCESS', big: 'DROP', small2: 'SUCCESS' });
  t.deepEqual(s.handled, ['big-3000', 'two']);
  t.deepEqual(await s.deliver(padded(5000)), { http: 200, status: 'DROP' });
  t.is(s.handled.length, 2);
});

test('a bulk body over the batch limit is refused unread, with no statuses (daprd retries, then dead-letters)', async (t) => {
  const s = await serveBulk(fromBlog, 1024);
  t.teardown(s.close);
  const r = await s.deliverBulk(Array.from({ length: 9 }, (_, i) => entry(String(i), { ...padded(900), id: `e${i}` })));
  t.is(r.http, 200);
  t.is(r.statuses as unknown, undefined);
  t.deepEqual(s.handled, []);
});

test('a subscription that did not ask for batches takes no bulk envelope: it is not a CloudEvent, so DROP', async (t) => {
  const s = await serve(fromBlog);
  t.teardown(s.close);
  const res = await fetch(`${s.base}/events/post.published`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'b1', type: 'com.dapr.event.sent.bulk', topic: 'post.published', entries: [entry('1', event('blog', 'smuggled'))] }),
  });
  t.deepEqual(await res.json(), { status: 'DROP' });
  t.deepEqual(s.handled, []);
});

test('a CloudEvent that carries an `entries` field is still one event, not a batch', async (t) => {
  const s = await serveBulk(fromBlog);
  t.teardown(s.close);
  t.deepEqual(await s.deliver({ ...event('blog', 'tricky'), entries: [entry('x', event('blog', 'smuggled'))] }), { http: 200, status: 'SUCCESS' });
  t.deepEqual(s.handled, ['tricky']);
});
