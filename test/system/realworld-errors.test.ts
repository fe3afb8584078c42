/**
 * Every error of a RealWorld route reaches a RealWorld frontend as `{"errors":{"<field or subject>":["<message>"]}}`
 * (issue 12): the services' own errors and those the gateway answers itself (a bad or missing token, an unknown
 * method, a rate limit). Routes outside RealWorld keep application/problem+json.
 */
import test from 'ava';
import { api, newUser, register, type ApiResponse } from '../support/stack.js';
import { freshIp, from } from '../../services/auth/test/support/auth-system.js';

/** The operations of the RealWorld spec (realworld/openapi.yml v1.1.0), with who may call them. */
const SPEC: { method: string; path: string; auth: 'public' | 'optional' | 'user'; body?: boolean }[] = [
  { method: 'POST', path: '/api/users/login', auth: 'public', body: true },
  { method: 'POST', path: '/api/users', auth: 'public', body: true },
  { method: 'GET', path: '/api/user', auth: 'user' },
  { method: 'PUT', path: '/api/user', auth: 'user', body: true },
  { method: 'GET', path: '/api/profiles/{username}', auth: 'optional' },
  { method: 'POST', path: '/api/profiles/{username}/follow', auth: 'user' },
  { method: 'DELETE', path: '/api/profiles/{username}/follow', auth: 'user' },
  { method: 'GET', path: '/api/articles/feed', auth: 'user' },
  { method: 'GET', path: '/api/articles', auth: 'optional' },
  { method: 'POST', path: '/api/articles', auth: 'user', body: true },
  { method: 'GET', path: '/api/articles/{slug}', auth: 'optional' },
  { method: 'PUT', path: '/api/articles/{slug}', auth: 'user', body: true },
  { method: 'DELETE', path: '/api/articles/{slug}', auth: 'user' },
  { method: 'GET', path: '/api/articles/{slug}/comments', auth: 'optional' },
  { method: 'POST', path: '/api/articles/{slug}/comments', auth: 'user', body: true },
  { method: 'DELETE', path: '/api/articles/{slug}/comments/{id}', auth: 'user' },
  { method: 'POST', path: '/api/articles/{slug}/favorite', auth: 'user' },
  { method: 'DELETE', path: '/api/articles/{slug}/favorite', auth: 'user' },
  { method: 'GET', path: '/api/tags', auth: 'public' },
];

/** The RealWorld error shape: `errors` is an object whose every value is a non-empty array of strings. */
function assertRealWorldError(t: { true(v: boolean, m?: string): void; is(a: unknown, b: unknown, m?: string): void }, res: ApiResponse, label: string) {
  t.is(res.headers.get('content-type')?.split(';')[0], 'application/json', `${label}: application/json, not problem+json`);
  const errors = res.body?.errors as unknown;
  t.true(typeof errors === 'object' && errors !== null && !Array.isArray(errors) && Object.keys(errors).length > 0, `${label}: an errors object (${JSON.stringify(res.body)})`);
  for (const [key, messages] of Object.entries((errors ?? {}) as Record<string, unknown>)) {
    t.true(Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string' && m.length > 0), `${label}: errors.${key} is a list of messages`);
  }
  t.true(typeof res.body?.code === 'string', `${label}: the stable code stays beside errors`);
}

const FORGED = 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im5vcGUifQ.eyJzdWIiOiJ4Iiwic2lkIjoieSIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJl';
const concrete = (path: string) => path.replace('{username}', 'nobody-here').replace('{slug}', 'no-such-article').replace('{id}', '1');

/**
 * A wrong password costs auth a full argon2 verification; when the 2-core machine is saturated (every test file
 * registering users at once) one may outlast the gateway's 5 s upstream timeout. Such a 504 is load, not the
 * answer under test, so it is tried again.
 */
async function failedLogin(ip: string, email: string) {
  let res: ApiResponse | undefined;
  for (let attempt = 0; attempt < 3 && (!res || res.status === 504); attempt++) {
    res = await api('POST', '/api/users/login', { body: { user: { email, password: 'wrong password' } }, headers: from(ip) });
  }
  return res!;
}

/** Two users for every test of this file (registering costs argon2; a saturated machine may time one out: retried). */
async function steadyUser() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await register(newUser('err'));
    } catch (err) {
      if (attempt >= 3 || !/register failed: 504/.test((err as Error).message)) throw err;
    }
  }
}
let alice: Awaited<ReturnType<typeof register>>;
let bob: Awaited<ReturnType<typeof register>>;
test.before(async () => {
  [alice, bob] = [await steadyUser(), await steadyUser()];
});

test('a failed login says exactly which RealWorld error a frontend shows', async (t) => {
  const res = await failedLogin(freshIp(), `nobody${Date.now()}@example.test`);
  t.is(res.status, 401);
  t.deepEqual(res.body.errors, { 'email or password': ['is invalid'] });
  t.is(res.body.code, 'AUTH.INVALID_CREDENTIALS');
  assertRealWorldError(t, res, 'login');
});

test('every RealWorld operation of the spec is declared with the RealWorld error style', async (t) => {
  const doc = (await api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { 'x-error-style'?: string }>> };
  for (const op of SPEC) t.is(doc.paths[op.path]?.[op.method.toLowerCase()]?.['x-error-style'], 'realworld', `${op.method} ${op.path}`);
});

test('property over the spec: a forged token, a missing token, a malformed or an invalid body all answer in the RealWorld shape', async (t) => {
  const user = alice;
  for (const op of SPEC) {
    const path = concrete(op.path);
    const label = `${op.method} ${op.path}`;
    const forged = await api(op.method, path, { token: FORGED, body: op.body ? {} : undefined });
    t.is(forged.status, 401, `${label} with a forged token`);
    assertRealWorldError(t, forged, `${label} forged token`);
    t.deepEqual(forged.body.errors, { token: ['is invalid, expired or revoked'] });
    if (op.auth === 'user') {
      const anonymous = await api(op.method, path, { body: op.body ? {} : undefined });
      t.is(anonymous.status, 401, `${label} without a token`);
      assertRealWorldError(t, anonymous, `${label} no token`);
      t.deepEqual(anonymous.body.errors, { token: ['is missing'] });
    }
    if (op.body) {
      const token = op.auth === 'public' ? undefined : user.token;
      const malformed = await api(op.method, path, { token, body: '{"user":', headers: from(freshIp()) });
      t.is(malformed.status, 400, `${label} malformed JSON`);
      assertRealWorldError(t, malformed, `${label} malformed JSON`);
      const invalid = await api(op.method, path, { token, body: { nothing: true }, headers: from(freshIp()) });
      t.true([404, 422].includes(invalid.status), `${label} invalid body: ${invalid.status}`);
      assertRealWorldError(t, invalid, `${label} invalid body`);
    }
  }
});

test('unknown articles, profiles and comments are RealWorld 404s naming what was not found', async (t) => {
  const user = bob;
  const cases: [string, string, string][] = [
    ['GET', '/api/articles/no-such-article', 'article'],
    ['PUT', '/api/articles/no-such-article', 'article'],
    ['DELETE', '/api/articles/no-such-article', 'article'],
    ['GET', '/api/articles/no-such-article/comments', 'article'],
    ['POST', '/api/articles/no-such-article/favorite', 'article'],
    ['GET', '/api/profiles/nobody-here-at-all', 'profile'],
    ['POST', '/api/profiles/nobody-here-at-all/follow', 'profile'],
  ];
  for (const [method, path, subject] of cases) {
    const res = await api(method, path, { token: user.token, body: method === 'PUT' ? { article: { title: 'x' } } : undefined });
    t.is(res.status, 404, `${method} ${path}`);
    assertRealWorldError(t, res, `${method} ${path}`);
    t.deepEqual(res.body.errors, { [subject]: ['not found'] }, `${method} ${path}`);
  }
  const author = alice;
  const article = await api('POST', '/api/articles', { token: author.token, body: { article: { title: `Errors ${Date.now()}`, description: 'd', body: 'b' } } });
  const missingComment = await api('DELETE', `/api/articles/${article.body.article.slug}/comments/999999`, { token: author.token });
  t.is(missingComment.status, 404);
  t.deepEqual(missingComment.body.errors, { comment: ['not found'] });
});

test("editing or deleting someone else's article is a RealWorld 403", async (t) => {
  const author = alice;
  const intruder = bob;
  const created = await api('POST', '/api/articles', { token: author.token, body: { article: { title: `Mine ${Date.now()}`, description: 'd', body: 'b' } } });
  const slug = created.body.article.slug as string;
  for (const [method, body] of [['PUT', { article: { title: 'Hijacked' } }], ['DELETE', undefined]] as const) {
    const res = await api(method, `/api/articles/${slug}`, { token: intruder.token, body });
    t.is(res.status, 403, method);
    assertRealWorldError(t, res, `${method} someone else's article`);
    t.deepEqual(res.body.errors, { article: ['can only be changed by its author or an editor'] });
  }
  t.is((await api('GET', `/api/articles/${slug}`)).body.article.title, created.body.article.title, 'unchanged');
});

test('validation errors name the field; a wrong method on a RealWorld path is a RealWorld 405', async (t) => {
  const user = bob;
  const invalid = await api('POST', '/api/articles', { token: user.token, body: { article: { title: '', description: 'd' } } });
  t.is(invalid.status, 422);
  assertRealWorldError(t, invalid, 'invalid article');
  t.true(Object.keys(invalid.body.errors).some((k) => k.includes('title')), JSON.stringify(invalid.body.errors));
  const wrongMethod = await api('PATCH', '/api/articles/anything', { token: user.token });
  t.is(wrongMethod.status, 405);
  t.truthy(wrongMethod.headers.get('allow'));
  assertRealWorldError(t, wrongMethod, 'PATCH an article');
  t.truthy(wrongMethod.body.errors.method);
});

test('the gateway’s own rate limit answers a RealWorld route in the RealWorld shape, with Retry-After', async (t) => {
  const ip = freshIp();
  let limited: ApiResponse | undefined;
  for (let i = 0; i < 40 && !limited; i++) {
    const res = await failedLogin(ip, `spray${i}-${Date.now()}@example.test`);
    if (res.status === 429) limited = res;
    else t.is(res.status, 401);
  }
  t.truthy(limited, 'the login budget ran out');
  assertRealWorldError(t, limited!, 'rate limited login');
  t.truthy(limited!.headers.get('retry-after'));
  t.truthy(limited!.body.errors['rate limit']);
});

test('routes outside RealWorld keep application/problem+json', async (t) => {
  const res = await api('GET', '/api/user/sessions', { token: FORGED });
  t.is(res.status, 401);
  t.is(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  t.like(res.body, { status: 401, code: 'AUTH.INVALID_TOKEN' });
  const unknown = await api('GET', '/api/no/such/route');
  t.is(unknown.status, 404);
  t.is(unknown.headers.get('content-type')?.split(';')[0], 'application/problem+json');
});
