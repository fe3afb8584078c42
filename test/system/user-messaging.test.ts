import test from 'ava';
import { randomUUID } from 'node:crypto';
import {
  api, eventually, notificationsOf, publishAs, query, registerUser, streamEntries, userStats,
} from '../../services/user/test/support/user-stack.js';

// These tests watch counters and streams shared by the whole service, so they run one after another.

const count = (stats: Awaited<ReturnType<typeof userStats>>, topic: string, outcome: string) => stats.events[topic]?.[outcome] ?? 0;
async function authorWithFan() {
  const [author, fan] = await Promise.all([registerUser('ma'), registerUser('mf')]);
  const res = await api('POST', `/api/profiles/${author.username}/follow`, { token: fan.token });
  if (res.status !== 200) throw new Error(`follow: ${res.status}`);
  return { author, fan };
}
const post = (authorId: string, n: number | string) => ({
  articleId: `a${n}`, slug: `post-${n}`, title: `Post ${n}`, authorId, publishedAt: new Date().toISOString(),
});

test.serial('the same CloudEvent delivered twice yields one notification', async (t) => {
  const { author, fan } = await authorWithFan();
  const before = await userStats();
  const id = randomUUID();
  await publishAs('blog', 'post.published', post(author.id, 'dup'), id);
  await publishAs('blog', 'post.published', post(author.id, 'dup'), id);

  // Both deliveries were handled: one applied, one recognised as a duplicate by the inbox.
  await eventually(async () => {
    const after = await userStats();
    return count(after, 'post.published', 'duplicate') > count(before, 'post.published', 'duplicate');
  });
  t.deepEqual(await notificationsOf(fan.id), [{ kind: 'new_post', actor_id: author.id, event_id: id, article_id: 'adup' }]);
  t.deepEqual(await query('user', 'select topic from inbox where event_id = $1', [id]), [{ topic: 'post.published' }]);
  t.deepEqual(await query('user', 'select count(*)::int as n from activity where event_id = $1', [id]), [{ n: 1 }]);
});

test.serial('a poison event is dropped to the dead-letter topic instead of being retried forever', async (t) => {
  const before = await userStats();
  const malformed = await publishAs('blog', 'comment.created', { commentId: 'c', articleSlug: 's' });
  const wrongTypes = await publishAs('blog', 'reaction.added', { kind: 'like', userId: 42, targetType: 'planet', targetId: 'x', articleSlug: 's', targetAuthorId: null });

  const dead = await eventually(async () => {
    const entries = (await streamEntries('deadletter')).map((fields) => fields.join(' '));
    const found = [malformed, wrongTypes].map((id) => entries.filter((e) => e.includes(id)).length);
    return found.every((n) => n > 0) && found;
  }, 30_000);
  t.deepEqual(dead, [1, 1], 'each poison event is in the dead-letter stream once');
  t.deepEqual(await query('user', 'select event_id from inbox where event_id = any($1)', [[malformed, wrongTypes]]), [], 'no effect recorded');
  const after = await userStats();
  t.is(count(after, 'comment.created', 'dropped') - count(before, 'comment.created', 'dropped'), 1, 'delivered once, dropped at once');
  t.is(count(after, 'reaction.added', 'dropped') - count(before, 'reaction.added', 'dropped'), 1);
});
