import test from 'ava';
import { randomUUID } from 'node:crypto';
import { api, eventually, notificationsOf, publishAs, query, registerUser, stack, streamEntries } from '../../services/user/test/support/user-stack.js';

// This test takes the user service down for a few seconds (kill, then restart). It is a soak test, run with
// `npm run test:soak` (repeat it: it is timing-dependent), not part of `npm test`: in about one run of four we saw
// one of the 60 events acknowledged by daprd without ever reaching the app and without being dead-lettered
// (under investigation; see the user service README).

const control = async (action: 'kill' | 'start', app: string) => {
  const res = await fetch(`${stack().controlUrl}/apps/${app}/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`${action} ${app}: HTTP ${res.status} ${await res.text()}`);
};
const post = (authorId: string, n: string) => ({ articleId: `a${n}`, slug: `post-${n}`, title: `Post ${n}`, authorId, publishedAt: new Date().toISOString() });

test('killing the user service while events are in flight loses none and applies none twice', async (t) => {
  const [author, fan] = await Promise.all([registerUser('ka'), registerUser('kf')]);
  t.is((await api('POST', `/api/profiles/${author.username}/follow`, { token: fan.token })).status, 200);
  const ids = Array.from({ length: 60 }, () => randomUUID());
  const publish = (batch: string[]) => Promise.all(batch.map((id) => publishAs('blog', 'post.published', post(author.id, `k-${id.slice(0, 8)}`), id)));
  // A first batch; kill as soon as some of it has been applied (the rest is queued or being delivered) …
  await publish(ids.slice(0, 20));
  await eventually(async () => (await notificationsOf(fan.id)).length > 0, 30_000, 5);
  await control('kill', 'user');
  const appliedBeforeKill = (await query<{ n: number }>('user', 'select count(*)::int as n from inbox where event_id = any($1)', [ids]))[0]!.n;
  // … and a second batch while the service is down.
  await publish(ids.slice(20));
  await control('start', 'user');

  // Wait for all of them; if some never come, the assertions below say how many and whether they were dead-lettered.
  const notes = await eventually(async () => {
    const rows = await notificationsOf(fan.id);
    return rows.length >= ids.length && rows;
  }, 60_000).catch(() => notificationsOf(fan.id));
  t.is(notes.length, ids.length, 'one notification per event');
  t.deepEqual(notes.map((n) => n.event_id).sort(), [...ids].sort());
  t.deepEqual(await query('user', 'select count(*)::int as n from inbox where event_id = any($1)', [ids]), [{ n: ids.length }]);
  t.deepEqual(await query('user', 'select count(*)::int as n from activity where event_id = any($1)', [ids]), [{ n: ids.length }]);
  const dead = (await streamEntries('deadletter')).map((f) => f.join(' '));
  t.false(ids.some((id) => dead.some((e) => e.includes(id))), 'none went to the dead-letter topic');
  t.log(`${appliedBeforeKill} of ${ids.length} events applied before the kill`);
});
