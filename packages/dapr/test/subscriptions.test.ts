import test from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { PermanentEventError, subscriptionRouter, type Subscription } from '../src/index.js';

// The router as daprd meets it: a real HTTP server, CloudEvents posted to the delivery route, Dapr's status
// contract in the answer.

interface Logged {
  level: 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string;
}

async function serve(subscription: Subscription) {
  const logged: Logged[] = [];
  const handled: string[] = [];
  const logger = {
    warn: (obj: object, msg?: string) => logged.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg?: string) => logged.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
  const app = new Koa();
  const router = subscriptionRouter({
    logger,
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
  return { deliver, subscribe, logged, handled, close: () => server.close() };
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
