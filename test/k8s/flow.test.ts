/**
 * The RealWorld flow and the event flow through the gateway on the real cluster (npm run test:k8s): every call
 * crosses the gateway's sidecar and the callee's over mTLS, every event Redis Streams.
 */
import test from 'ava';
import { PASSWORD, api, maildevUrl, onCluster, register, until } from './support.js';

const t_ = onCluster ? test : test.skip;

t_('register, login, article, comment, follow, and the follower is notified; the verification mail reaches MailDev', async (t) => {
  const ready = await until('the gateway ready', async () => (await api('GET', '/readyz')).status === 200 || undefined, 60_000);
  t.true(ready);
  const [alice, bob] = [await register('alice'), await register('bob')];
  const me = await api('GET', '/api/user', { token: alice.token, ip: alice.ip });
  t.is(me.body?.user?.username, alice.username);
  const login = await until('login', async () => {
    const r = await api('POST', '/api/users/login', { ip: alice.ip, body: { user: { email: alice.email, password: PASSWORD } }, timeoutMs: 30_000 });
    return r.status === 200 ? r : r.status === 504 || r.status === 0 ? false : r;
  }, 90_000);
  t.is(login.status, 200);
  t.truthy(login.body.user.token);

  const followed = await until('bob follows alice', async () => {
    const r = await api('POST', `/api/profiles/${alice.username}/follow`, { token: bob.token, ip: bob.ip });
    return r.status === 200 && r;
  }, 30_000);
  t.true(followed.body.profile.following);

  const created = await api('POST', '/api/articles', {
    token: alice.token,
    ip: alice.ip,
    body: { article: { title: `On Kubernetes ${Date.now()}`, description: 'd', body: 'b', tagList: ['k8s'] } },
  });
  t.is(created.status, 201, JSON.stringify(created.body).slice(0, 300));
  const slug = created.body.article.slug as string;
  const got = await api('GET', `/api/articles/${slug}`, { token: bob.token, ip: bob.ip });
  t.is(got.body.article.author.username, alice.username);
  t.true(got.body.article.author.following);
  const comment = await api('POST', `/api/articles/${slug}/comments`, { token: bob.token, ip: bob.ip, body: { comment: { body: 'Nice' } } });
  t.is(comment.status, 200, JSON.stringify(comment.body).slice(0, 300));
  const comments = await api('GET', `/api/articles/${slug}/comments`, { token: alice.token, ip: alice.ip });
  t.true(comments.body.comments.some((c: { body: string; author: { username: string } }) => c.body === 'Nice' && c.author.username === bob.username));

  await until("bob's notification of alice's article", async () => {
    const n = await api('GET', '/api/user/notifications?limit=100', { token: bob.token, ip: bob.ip });
    return n.status === 200 && n.body.notifications.some((x: { kind: string; article?: { slug: string } }) => x.kind === 'new_post' && x.article?.slug === slug);
  }, 60_000);
  const mail = await until('the verification mail in MailDev', async () => {
    const res = await fetch(`${maildevUrl}/api/email`);
    const mails = (await res.json()) as { to: { address: string }[]; subject: string }[];
    return mails.find((m) => m.to.some((x) => x.address === alice.email));
  }, 60_000);
  t.truthy(mail.subject);
});
