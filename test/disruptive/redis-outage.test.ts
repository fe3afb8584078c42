import test from 'ava';
import { api, eventually, notificationsOf, query, registerUser, stack } from '../../services/user/test/support/user-stack.js';

// The stack's own Redis (pub/sub streams, rate-limit counters) frozen for 10 s with SIGSTOP: every connection to
// it hangs, the worst kind of outage (a refused connection fails fast). Writes through the gateway must still be
// answered (the rate limiter falls back to its in-memory budget, events wait in the outbox), and once Redis is
// back every event is delivered exactly once: one notification per article for the follower, no more.

const OUTAGE_MS = 10_000;
const redis = async (action: 'pause' | 'resume') => {
  const res = await fetch(`${stack().controlUrl}/redis/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`redis ${action}: HTTP ${res.status} ${await res.text()}`);
};

test('Redis down for 10 s: writes are answered, and afterwards every event is delivered once', async (t) => {
  const [writer, fan] = await Promise.all([registerUser('ro'), registerUser('rf')]);
  t.is((await api('POST', `/api/profiles/${writer.username}/follow`, { token: fan.token })).status, 200);

  const create = async (label: string) => {
    const started = Date.now();
    const res = await api('POST', '/api/articles', { token: writer.token, body: { article: { title: `${label} ${Date.now()}`, description: 'd', body: 'b' } } });
    return { status: res.status, ms: Date.now() - started, slug: res.body?.article?.slug as string | undefined };
  };
  const before = await create('Before the outage');
  t.is(before.status, 201);

  await redis('pause');
  const during: Awaited<ReturnType<typeof create>>[] = [];
  try {
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) during.push(await create('During the outage'));
  } finally {
    await redis('resume');
  }
  t.log(`during the outage: ${during.length} creates, statuses ${[...new Set(during.map((d) => d.status))].join(',')}, slowest ${Math.max(...during.map((d) => d.ms))} ms`);
  t.true(during.length >= 3, 'writes kept being answered while Redis was frozen');
  t.deepEqual([...new Set(during.map((d) => d.status))], [201], 'every write during the outage committed and answered 201');
  const after = await create('After the outage');
  t.is(after.status, 201);

  // Every article's post.published reaches the follower exactly once.
  const slugs = [before, ...during, after].map((c) => c.slug!);
  const ids = (await query<{ id: string }>('blog', 'select id from article where slug = any($1)', [slugs])).map((r) => r.id);
  t.is(ids.length, slugs.length);
  const notified = await eventually(async () => {
    const rows = (await notificationsOf(fan.id)).filter((n) => n.kind === 'new_post' && n.article_id && ids.includes(n.article_id));
    return rows.length >= ids.length && rows;
  }, 60_000, 250);
  // A moment more, so a late duplicate would show.
  await new Promise((r) => setTimeout(r, 1500));
  const final = (await notificationsOf(fan.id)).filter((n) => n.kind === 'new_post' && n.article_id && ids.includes(n.article_id));
  t.is(notified.length, ids.length);
  t.is(new Set(final.map((n) => n.article_id)).size, ids.length, 'every article notified');
  t.is(final.length, ids.length, 'no article notified twice');
  await eventually(async () => (await query<{ n: number }>('blog', 'select count(*)::int as n from outbox where published_at is null'))[0]!.n === 0, 30_000, 250);
  t.pass("blog's outbox drained");
});
