import test from 'ava';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { create } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { PUBLISHER_OF, type Topic } from '@vcd/contracts';
import { eventually, notificationsOf, query, registerUser } from '../../services/user/test/support/user-stack.js';
import { stack, stackRedis } from '../support/stack.js';

// Attacker's notebook: I run code inside one service and hold its Dapr API token. Events are trusted by their
// consumers (a post.published makes notifications, a session.revoked logs people out, a user.registered carries
// e-mail addresses). Can I forge one, or read one that is not meant for me?
// Controls: pub/sub scopes on the components (components/pubsub*.yaml: allowedTopics, protectedTopics,
// publishingScopes, subscriptionScopes, scopes), and each consumer's check of the CloudEvent source
// (packages/dapr/src/subscriptions.ts).

const require = createRequire(import.meta.url);
const daprPb = require('@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js') as typeof import('@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js');

const TOPICS = Object.keys(PUBLISHER_OF) as Topic[];

/** Publishes a CloudEvent through `app`'s sidecar, as that app's relay would; returns daprd's answer. */
async function publishThrough(app: string, pubsub: string, topic: string, data: unknown, source = app, id = randomUUID()) {
  const a = stack().apps[app]!;
  const event = { specversion: '1.0', id, source, type: topic, datacontenttype: 'application/json', time: new Date().toISOString(), data };
  const res = await fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/publish/${pubsub}/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': a.daprApiToken, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  return { id, status: res.status, text: await res.text() };
}

/** Whether a CloudEvent with this id is in the topic's Redis stream (what every consumer reads). */
async function inStream(topic: string, id: string): Promise<boolean> {
  const redis = stackRedis();
  try {
    await redis.connect();
    return (await redis.xrange(topic, '-', '+')).some(([, fields]) => fields.join(' ').includes(id));
  } finally {
    redis.disconnect();
  }
}

/** Opens a streaming subscription (Dapr's gRPC SubscribeTopicEventsAlpha1) through `app`'s sidecar. */
async function subscribeThrough(app: string, pubsubName: string, topic: string): Promise<string> {
  const a = stack().apps[app]!;
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${a.daprGrpcPort}`,
    interceptors: [(next) => async (req) => (req.header.set('dapr-api-token', a.daprApiToken), next(req))],
  });
  const client = createClient(daprPb.Dapr, transport);
  const abort = new AbortController();
  async function* requests() {
    yield create(daprPb.SubscribeTopicEventsRequestAlpha1Schema, {
      subscribeTopicEventsRequestType: { case: 'initialRequest', value: create(daprPb.SubscribeTopicEventsRequestInitialAlpha1Schema, { pubsubName, topic }) },
    });
    await new Promise((r) => abort.signal.addEventListener('abort', r));
  }
  try {
    for await (const res of client.subscribeTopicEventsAlpha1(requests(), { signal: abort.signal, timeoutMs: 10_000 })) {
      return `subscribed (${res.subscribeTopicEventsResponseType.case})`;
    }
    return 'stream ended';
  } catch (err) {
    return (err as Error).message;
  } finally {
    abort.abort();
  }
}

test('a compromised blog cannot forge auth\'s events: user.registered and session.revoked are refused by its sidecar', async (t) => {
  for (const topic of ['user.registered', 'session.revoked', 'user.role_changed', 'user.updated', 'profile.updated', 'user.followed']) {
    const forged = await publishThrough('blog', 'pubsub', topic, { userId: randomUUID(), username: 'mallory', email: 'm@example.test', sessionIds: [], reason: 'x' }, PUBLISHER_OF[topic as Topic]);
    t.is(forged.status, 403, `${topic}: ${forged.text}`);
    t.regex(forged.text, /ERR_PUBSUB_FORBIDDEN/);
    t.false(await inStream(topic, forged.id), `${topic}: nothing reached Redis`);
  }
  // Nor through the broadcast component, which reads the same streams.
  const viaBroadcast = await publishThrough('blog', 'broadcast', 'session.revoked', { userId: randomUUID(), sessionIds: [], reason: 'x' }, 'auth');
  t.is(viaBroadcast.status, 403, viaBroadcast.text);
  // Its own topics still go out (the relay's path).
  const own = await publishThrough('blog', 'pubsub', 'post.deleted', { articleId: randomUUID(), slug: 's', authorId: randomUUID() });
  t.is(own.status, 204, own.text);
  t.true(await inStream('post.deleted', own.id));
});

test('a compromised gateway cannot publish any event at all (it cannot forge post.published)', async (t) => {
  for (const topic of [...TOPICS, 'anything.else']) {
    for (const pubsub of ['pubsub', 'broadcast']) {
      const forged = await publishThrough('gateway', pubsub, topic, { articleId: 'a', slug: 's', title: 'Free money', authorId: randomUUID(), publishedAt: new Date().toISOString() }, 'blog');
      t.true(forged.status === 403 || forged.status === 404, `${pubsub}/${topic}: HTTP ${forged.status} ${forged.text}`);
      // The gateway's sidecar has no publish API at all (its Dapr API allowlist), so the route itself is missing
      // (daprd's fallback answers); were it there, the scopes would still refuse (no pubsub, broadcast forbidden).
      t.regex(forged.text, /failed getting app id|ERR_PUBSUB_NOT_FOUND|ERR_PUBSUB_FORBIDDEN/, `${pubsub}/${topic}`);
    }
  }
  t.false(await inStream('post.published', 'Free money'));
});

test('each service publishes only its own topics: user cannot publish blog\'s, auth cannot publish user\'s', async (t) => {
  for (const [app, topic] of [['user', 'post.published'], ['user', 'comment.created'], ['auth', 'profile.updated'], ['auth', 'post.published'], ['blog', 'user.unfollowed']] as const) {
    const forged = await publishThrough(app, 'pubsub', topic, {}, PUBLISHER_OF[topic]);
    t.is(forged.status, 403, `${app} → ${topic}: ${forged.text}`);
  }
  // Each owner still publishes: topics no service consumes, and user.unfollowed, which blog consumes (it only drops
  // a cached follow set of nobody), so the probes disturb nobody.
  const probes = { 'user.verified': { probe: true }, 'user.password_reset_requested': { probe: true }, 'user.unfollowed': { followerId: randomUUID(), followeeId: randomUUID() } };
  for (const [topic, data] of Object.entries(probes) as [keyof typeof probes, unknown][]) {
    const ok = await publishThrough(PUBLISHER_OF[topic], 'pubsub', topic, data);
    t.is(ok.status, 204, `${PUBLISHER_OF[topic]} publishes its ${topic}: ${ok.text}`);
  }
});

test('a compromised gateway or blog cannot subscribe to user.registered to harvest e-mail addresses', async (t) => {
  // Dapr's streaming subscriptions need no app route: any holder of the API token could open one.
  // The gateway's sidecar does not even offer the gRPC API for it (its API allowlist: invocation only).
  t.regex(await subscribeThrough('gateway', 'broadcast', 'user.registered'), /not allowed|Not Implemented/);
  t.regex(await subscribeThrough('gateway', 'pubsub', 'user.registered'), /not found|not configured|pubsub|Not Implemented/i);
  t.regex(await subscribeThrough('blog', 'pubsub', 'user.registered'), /not allowed/);
  t.regex(await subscribeThrough('blog', 'broadcast', 'session.revoked'), /not allowed/);
  t.regex(await subscribeThrough('auth', 'pubsub', 'user.registered'), /not allowed/);
});

test("an event of the right topic with a forged source has no effect: no notification, and it goes to the dead letters", async (t) => {
  // Blog's sidecar may publish comment.created (blog owns it), so the scopes let this through; the consumer's
  // source check is what stops an event that claims to come from elsewhere.
  const [author, commenter] = await Promise.all([registerUser('fa'), registerUser('fc')]);
  // An article id of its own: another attack here deletes article 'a', and user forgets everything about it.
  const articleId = randomUUID();
  const comment = (commentId: string) => ({
    commentId, articleId, articleSlug: `post-${author.username}`, articleAuthorId: author.id, authorId: commenter.id, parentId: null, parentAuthorId: null, body: 'x',
  });
  const forged = await publishThrough('blog', 'pubsub', 'comment.created', comment('forged'), 'gateway');
  t.is(forged.status, 204, 'the sidecar let it through');
  await eventually(() => inStream('deadletter', forged.id));
  t.deepEqual(await notificationsOf(author.id), [], 'no notification from the forged event');
  t.deepEqual(await query('user', 'select 1 from inbox where event_id = $1', [forged.id]), [], 'not even recorded as handled');

  // The same event from its real publisher does notify: the check, not a broken path, stopped the forgery.
  const genuine = await publishThrough('blog', 'pubsub', 'comment.created', comment('genuine'));
  const notes = await eventually(async () => {
    const rows = await notificationsOf(author.id);
    return rows.length > 0 && rows;
  });
  t.deepEqual(notes.map((n) => [n.kind, n.event_id]), [['comment', genuine.id]]);
});
