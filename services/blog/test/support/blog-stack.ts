import { query } from '../../../../test/support/db.js';
import { api, eventually, newUser, register, stack } from '../../../../test/support/stack.js';

export { api, eventually, query, stack };

export interface TestUser {
  username: string;
  email: string;
  password: string;
  token: string;
  id: string;
}

// Registrations (argon2) are CPU-heavy: one at a time per test file keeps them within the gateway's timeout.
let registrations: Promise<unknown> = Promise.resolve();
function registerInTurn(prefix: string) {
  const next = registrations.then(() => register(newUser(prefix)));
  registrations = next.catch(() => undefined);
  return next;
}

/** A registered user whose profile the user service already knows (authors show up with their names). */
export async function author(prefix = 'b'): Promise<TestUser> {
  const user = await registerInTurn(prefix);
  const [account] = await query<{ id: string }>('auth', 'select id from account where username = $1', [user.username]);
  await eventually(async () => (await api('GET', `/api/profiles/${user.username}`)).status === 200);
  return { ...user, id: account!.id };
}

/** A user with the editor role (a JWT claim, so they sign in again after the role change). */
export async function editor(): Promise<TestUser> {
  const user = await author('ed');
  await query('auth', "update account set role = 'editor' where username = $1", [user.username]);
  const login = await api('POST', '/api/users/login', { body: { user: { email: user.email, password: user.password } } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { ...user, token: login.body.user.token as string };
}

let n = 0;
export const uniqueTitle = (words = 'An article') => `${words} ${process.pid} ${Date.now().toString(36)} ${n++}`;

export async function createArticle(user: { token: string }, article: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/articles', {
    token: user.token,
    body: { article: { title: uniqueTitle(), description: 'A description', body: 'The body', ...article } },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.article as { slug: string; title: string; [k: string]: unknown };
}

/** The outbox rows of the blog service for one article (any topic), oldest first. */
export const outboxFor = (articleId: string) =>
  query<{ id: string; topic: string; payload: Record<string, unknown>; published_at: Date | null }>(
    'blog',
    `select id, topic, payload, published_at from outbox where payload->>'articleId' = $1 or payload->>'targetId' = $1 order by created_at`,
    [articleId],
  );

export async function articleIdOf(slug: string): Promise<string> {
  const [row] = await query<{ article_id: string }>('blog', 'select article_id from article_slug where slug = $1', [slug]);
  if (!row) throw new Error(`no article ${slug}`);
  return row.article_id;
}

/** Calls to UserService.GetProfiles the user service has served to the blog service so far. */
export async function getProfilesCallsFromBlog(): Promise<number> {
  const blog = stack().apps.blog!;
  const res = await fetch(`http://127.0.0.1:${blog.daprHttpPort}/v1.0/invoke/user/method/internal/stats`, {
    headers: { 'dapr-api-token': blog.daprApiToken },
  });
  if (!res.ok) throw new Error(`stats: ${res.status}`);
  const body = (await res.json()) as { rpc: Record<string, Record<string, number>> };
  return body.rpc['vcd.user.v1.UserService/GetProfiles']?.blog ?? 0;
}
