import test from 'ava';
import { Redis } from 'ioredis';
import { stack } from '../support/stack.js';

// Attacker's notebook: Redis carries every event (a stream per topic) and the rate-limit counters. If I can talk
// to it, I can forge any event past the pub/sub scopes, or wipe the counters that slow my password guessing.
// Controls: the stack's Redis wants a password, and its users (scripts/runner/redis-acl.ts, the same in compose
// and Kubernetes) split the rights: daprd's "pubsub" user has stream commands only; the apps' "ratelimit" user
// (redis-url, which gateway and auth read) has the counters' keys only.

const connect = async (options: { username?: string; password?: string }) => {
  const redis = new Redis({ host: '127.0.0.1', port: stack().redisPort, db: stack().redisDB ?? 9, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
  return redis;
};
const errorOf = async (p: Promise<unknown>) => p.then(() => 'ok', (err: Error) => err.message);

test("a process on this machine without the password is refused by the stack's Redis", async (t) => {
  const anonymous = await connect({});
  t.teardown(() => anonymous.disconnect());
  await anonymous.connect().catch(() => undefined);
  t.regex(await errorOf(anonymous.ping()), /NOAUTH/);
  t.regex(await errorOf(anonymous.xadd('post.published', '*', 'data', '{}')), /NOAUTH/);
  t.regex(await errorOf(anonymous.keys('*')), /NOAUTH/);

  // Guessing does not help: every attempt is refused, and the connection stays unauthenticated.
  for (const [user, password] of [['default', 'redis'], ['default', 'password'], ['pubsub', 'pubsub'], ['ratelimit', ''], ['admin', 'admin']] as const) {
    t.regex(await errorOf(anonymous.call('AUTH', user, password)), /WRONGPASS/, `${user}/${password}`);
  }
  t.regex(await errorOf(anonymous.ping()), /NOAUTH/);
});

test('the apps\' Redis URL (readable by gateway and auth) reaches the counters only: no stream can be read or forged', async (t) => {
  const app = new Redis(stack().secrets['redis-url']!, { lazyConnect: true, maxRetriesPerRequest: 0 });
  t.teardown(() => app.disconnect());
  await app.connect();
  t.is(await app.ping(), 'PONG');
  t.is(await app.set('gw:rl:probe', '1', 'EX', 10), 'OK', 'its own counters work');
  t.regex(await errorOf(app.xadd('post.published', '*', 'data', JSON.stringify({ id: 'forged', source: 'blog' }))), /NOPERM/);
  t.regex(await errorOf(app.xrange('user.registered', '-', '+')), /NOPERM/);
  t.regex(await errorOf(app.del('session.revoked')), /NOPERM/);
  t.regex(await errorOf(app.flushdb()), /NOPERM/);
  t.regex(await errorOf(app.config('GET', 'requirepass')), /NOPERM/);
  t.regex(await errorOf(app.publish('anything', 'x')), /NOPERM/);
});

test("the sidecars' Redis user has stream commands only: it cannot reset the login throttles or flush Redis", async (t) => {
  const sidecars = await connect({ username: 'pubsub', password: stack().secrets['redis-pubsub-password']! });
  t.teardown(() => sidecars.disconnect());
  await sidecars.connect();
  t.true(Array.isArray(await sidecars.xrange('post.published', '-', '+')), 'streams work');
  t.regex(await errorOf(sidecars.del('vcd:auth:login-account:someone@example.test')), /NOPERM/);
  t.regex(await errorOf(sidecars.set('gw:rl:ip:203.0.113.1', '0')), /NOPERM/);
  t.regex(await errorOf(sidecars.flushdb()), /NOPERM/);
  t.regex(await errorOf(sidecars.config('SET', 'requirepass', '')), /NOPERM/);
});
