import test from 'ava';
import { randomUUID } from 'node:crypto';
import { api, eventually, notificationsOf, publishAs, query, registerUser, stack } from '../../services/user/test/support/user-stack.js';

// ADR 22: daprd hands the user service its events in batches (bulk subscribe) and takes an outcome per event back.
// Through the real sidecars and Redis: a burst of post.published, with a forged and a malformed one among them.

const batchMetrics = async () => {
  const text = await (await fetch(`http://127.0.0.1:${stack().apps.user!.metricsPort}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^events_batch_size_${name}\\{topic="post.published"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { batches: read('count'), events: read('sum') };
};

test('a burst of events arrives in batches through the sidecars: each good one applied once, forged and malformed ones dropped alone', async (t) => {
  const author = await registerUser('batchauthor');
  const follower = await registerUser('batchfan');
  t.is((await api('POST', `/api/profiles/${author.username}/follow`, { token: follower.token })).status, 200);
  const before = await batchMetrics();
  const post = (i: number) => ({ articleId: `batch-${randomUUID()}`, slug: `batch-${i}`, title: `Batch ${i}`, authorId: author.id, publishedAt: new Date().toISOString() });
  const good = Array.from({ length: 40 }, (_, i) => post(i));
  // All at once, as blog's relay publishes a backlog: daprd gets them faster than it delivers them one by one.
  const ids = await Promise.all(good.map((p) => publishAs('blog', 'post.published', p)));
  const malformed = await publishAs('blog', 'post.published', { slug: 'no article id', authorId: author.id });
  // Blog's sidecar may publish post.published, so this one reaches the stream; its source says it is not blog's.
  const forged = randomUUID();
  const res = await fetch(`http://127.0.0.1:${stack().apps.blog!.daprHttpPort}/v1.0/publish/pubsub/post.published`, {
    method: 'POST',
    headers: { 'dapr-api-token': stack().apps.blog!.daprApiToken, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id: forged, source: 'user', type: 'post.published', datacontenttype: 'application/json', data: post(99) }),
  });
  t.is(res.status, 204);
  await eventually(async () => (await notificationsOf(follower.id)).filter((n) => ids.includes(n.event_id)).length === ids.length);
  const mine = (await notificationsOf(follower.id)).filter((n) => n.kind === 'new_post');
  t.is(mine.length, ids.length, 'one notification per event, none twice');
  t.deepEqual(mine.map((n) => n.event_id).sort(), [...ids].sort());
  await eventually(async () => (await batchMetrics()).events >= before.events + ids.length + 2);
  t.deepEqual(await query('user', 'select 1 from inbox where event_id = any($1)', [[malformed, forged]]), [], 'the malformed and the forged event were dropped, not applied');
  t.deepEqual((await notificationsOf(follower.id)).filter((n) => n.event_id === forged), []);
  const after = await batchMetrics();
  const events = after.events - before.events;
  const batches = after.batches - before.batches;
  t.log(`${events} events in ${batches} deliveries`);
  t.true(events >= ids.length + 2, 'every event came through the bulk route');
  t.true(batches < events, 'in fewer deliveries than events: batches, not one request per event');
});
