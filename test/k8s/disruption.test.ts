/**
 * Faults a platform team causes on purpose (npm run test:k8s, run after the other k8s tests, one at a time):
 * deleting pods while events flow loses none, and a rolling restart of every Deployment under steady load fails
 * no request (readiness gates traffic, preStop keeps a terminating pod serving until it has left the endpoints,
 * maxUnavailable 0 keeps the old pod until the new one is ready).
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { NS, Writer, api, kubectl, notificationsBySlug, onCluster, podsOf, register, until } from './support.js';

const t_ = onCluster ? test.serial : test.skip;
const APPS = ['gateway', 'auth', 'blog', 'user'] as const;

t_('deleting the blog and user pods while articles are written loses no event and duplicates none', async (t) => {
  const [alice, bob] = [await register('kalice'), await register('kbob')];
  await until('bob follows alice', async () => (await api('POST', `/api/profiles/${alice.username}/follow`, { token: bob.token, ip: bob.ip })).status === 200, 30_000);
  const writer = new Writer(alice);
  writer.start('under deletion');
  await until('a few articles written', () => writer.slugs.size >= 3, 60_000);
  for (const app of ['user', 'blog'] as const) {
    const [pod] = podsOf(app).filter((p) => !p.deleting);
    kubectl(['-n', NS, 'delete', 'pod', pod!.name, '--wait=false']);
    t.log(`deleted ${pod!.name}`);
    await until(`a new ${app} pod ready`, () => podsOf(app).some((p) => p.name !== pod!.name && p.ready && !p.deleting), 180_000, 1000);
    const before = writer.slugs.size;
    await until('articles written after the new pod is up', () => writer.slugs.size >= before + 3, 90_000);
  }
  await writer.stop();
  t.log(`${writer.slugs.size} articles, ${writer.errors.length} retried attempts (statuses ${[...new Set(writer.errors.map((e) => e.status))].join(',') || 'none'})`);
  const slugs = [...writer.slugs.values()];
  const count = await api('GET', `/api/articles?author=${alice.username}&limit=1`, { ip: bob.ip });
  t.is(count.body.articlesCount, slugs.length, 'one article per Idempotency-Key');
  const seen = await until('a notification for every article', async () => {
    const s = await notificationsBySlug(bob);
    return s && slugs.every((x) => s.has(x)) && s;
  }, 120_000, 1000).catch(() => undefined);
  const last = seen || (await notificationsBySlug(bob)) || new Map<string, number>();
  t.deepEqual(slugs.filter((s) => !last.has(s)), [], 'no lost event');
  t.deepEqual([...last].filter(([, n]) => n > 1), [], 'no duplicated event');
});

t_('a rolling restart of every Deployment under steady load fails no request', async (t) => {
  // Four clients, each under its own per-user and per-address budget (600 and 1200 requests a minute).
  const [alice, bob, carol, dave] = [await register('ralice'), await register('rbob'), await register('rcarol'), await register('rdave')];
  await until('bob follows alice', async () => (await api('POST', `/api/profiles/${alice.username}/follow`, { token: bob.token, ip: bob.ip })).status === 200, 30_000);
  const { body: created } = await api('POST', '/api/articles', { token: alice.token, ip: alice.ip, body: { article: { title: `Steady ${Date.now()}`, description: 'd', body: 'b' } } });
  const slug = created.article.slug as string;
  // Steady load: reads through gateway → blog → user (the author card) and authenticated reads (gateway → auth's
  // keys, user), each client one request after the other; every answer but 200 counts as a failure.
  const failures: string[] = [];
  let requests = 0;
  let networkRetries = 0;
  let running = true;
  const loop = async (reader: typeof alice, what: 'article' | 'me') => {
    while (running) {
      const get = () => (what === 'article'
        ? api('GET', `/api/articles/${slug}`, { token: reader.token, ip: reader.ip, timeoutMs: 20_000 })
        : api('GET', '/api/user', { token: reader.token, ip: reader.ip, timeoutMs: 20_000 }));
      let r = await get();
      // A keep-alive connection the server closes as it stops can cross a request just sent on it: like browsers and
      // proxies, retry an idempotent request once after such a network error (RFC 9110, 9.2.2). Answers are never retried.
      if (r.status === 0) {
        networkRetries++;
        r = await get();
      }
      requests++;
      if (r.status !== 200) failures.push(`${new Date().toISOString()} ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      await sleep(150);
    }
  };
  const loops = [loop(alice, 'me'), loop(bob, 'article'), loop(carol, 'me'), loop(dave, 'article')];
  await sleep(2000);
  const started = Date.now();
  for (const app of APPS) {
    const before = podsOf(app).map((p) => p.name);
    t.log(`${new Date().toISOString()} restarting ${app}`);
    kubectl(['-n', NS, 'rollout', 'restart', `deploy/${app}`]);
    kubectl(['-n', NS, 'rollout', 'status', `deploy/${app}`, '--timeout=300s'], { timeoutMs: 320_000 });
    t.log(`${new Date().toISOString()} ${app}: the new pod is ready`);
    await until(`the old ${app} pods gone`, () => podsOf(app).every((p) => !before.includes(p.name)), 180_000, 1000);
    t.log(`${new Date().toISOString()} ${app}: the old pod is gone (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await sleep(2000);
  running = false;
  await Promise.all(loops);
  t.log(`${requests} requests during the restarts, ${failures.length} failed (${networkRetries} retried once after a network error)`);
  for (const f of [...failures.slice(0, 5), ...failures.slice(-5)]) t.log(`  ${f}`);
  t.true(requests > 50, `${requests} requests`);
  t.is(failures.length, 0, `${failures.length} failed requests`);
});
