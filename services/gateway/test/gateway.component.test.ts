import test from 'ava';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/component.js';
import { clientAddress, startGateway, type GatewayApp } from '../../../test/support/service-apps.js';

/**
 * The gateway in-process (its buildApp, with its real Sidecar client, JWKS key set, session validator and rate
 * limiter on a real Redis) in front of a fake daprd: which requests it forwards where (exactly the routes the
 * services declare), what it adds and strips on the way, and how upstream failures become client answers.
 */
const realworld = { 'x-error-style': 'realworld' };
const documents = {
  auth: {
    openapi: '3.1.0',
    paths: {
      '/api/users': { post: { ...realworld } },
      '/api/users/login': { post: { ...realworld } },
    },
  },
  blog: {
    openapi: '3.1.0',
    paths: {
      '/api/articles': { get: { ...realworld, security: [{ token: [] }] }, post: { ...realworld, 'x-required-role': 'user' } },
      '/api/articles/{slug}': { get: { ...realworld, security: [{ token: [] }] }, delete: { ...realworld, 'x-required-role': 'user' } },
      '/api/categories': { post: { ...realworld, 'x-required-role': 'editor' } },
      '/feeds/tags/{tag}.atom': { get: {} },
      '/internal/not-public': { get: {} },
    },
  },
  user: {
    openapi: '3.1.0',
    paths: { '/api/profiles/{username}': { get: { ...realworld, security: [{ token: [] }] } } },
  },
};

let gw: GatewayApp;
test.before(async () => {
  gw = await startGateway(documents, { RATE_LIMIT_LOGIN_PER_MINUTE: '3', UPSTREAM_TIMEOUT_MS: '500' });
});
test.after.always(async () => {
  await gw?.close();
});

/** blog answers every call with what it received (the upstream path and the headers that matter). */
const echoBlog = () =>
  gw.daprd.app('blog', (call) => {
    if (call.path === '/openapi.json') return { body: documents.blog };
    return {
      status: call.method === 'POST' ? 201 : 200,
      headers: { 'x-upstream-secret': 'never passed on', etag: '"v1"' },
      body: { path: call.path, method: call.method, identity: call.headers['x-auth-user-id'] ?? null, role: call.headers['x-auth-role'] ?? null, body: call.body },
    };
  });

const user = (role: 'user' | 'editor' = 'user') => ({ userId: randomUUID(), username: `gw${randomUUID().slice(0, 8)}`, role, sessionId: randomUUID() });

test.serial('a declared route is forwarded to its owner with the path rebuilt from its template and the query passed on', async (t) => {
  echoBlog();
  const res = await gw.request('GET', '/api/articles/caf%C3%A9-au-lait?limit=5');
  t.is(res.status, 200, JSON.stringify(res.body));
  t.like(res.body, { path: '/api/articles/caf%C3%A9-au-lait?limit=5', method: 'GET', identity: null });
  t.is(res.headers.get('etag'), '"v1"', 'safe upstream headers pass');
  t.is(res.headers.get('x-upstream-secret'), null, 'others do not');
  const feed = await gw.request('GET', '/feeds/tags/dapr.atom');
  t.is(feed.body.path, '/feeds/tags/dapr.atom');
});

test.serial('anonymous reads the upstream marks public are answered from memory; a write shows to them within s-maxage', async (t) => {
  let version = 0;
  gw.daprd.app('blog', (call) => {
    if (call.path === '/openapi.json') return { body: documents.blog };
    if (call.method === 'POST') return call.body.includes('"bad"') ? { status: 422, body: { errors: { title: ['is bad'] } } } : { status: 201, body: { ok: ++version } };
    const shared = call.path.startsWith('/api/articles?') && !call.headers['x-auth-user-id'];
    const headers: Record<string, string> = shared ? { 'cache-control': 'public, max-age=0, s-maxage=1' } : {};
    return { status: 200, headers, body: { version, path: call.path } };
  });
  const upstreamReads = () => gw.daprd.callsTo('blog', '/api/articles?').length;
  const path = `/api/articles?limit=${Math.floor(Math.random() * 1e6)}`;
  const first = await gw.request('GET', path);
  const second = await gw.request('GET', path);
  t.deepEqual([first.status, second.status], [200, 200]);
  t.deepEqual(second.body, first.body);
  t.is(second.headers.get('age'), '0', 'an answer from memory says so (RFC 9111 Age)');
  t.is(second.headers.get('cache-control'), 'public, max-age=0, s-maxage=1');
  const before = upstreamReads();
  await Promise.all(Array.from({ length: 10 }, () => gw.request('GET', path)));
  t.is(upstreamReads(), before, 'ten more anonymous reads, no upstream call');

  const token = await gw.tokenFor(user());
  await gw.request('GET', path, { token });
  await gw.request('GET', path, { token });
  t.is(upstreamReads(), before + 2, 'a signed-in read always goes upstream');
  await gw.request('GET', path, { headers: { 'if-none-match': '"x"' } });
  t.is(upstreamReads(), before + 3, 'a conditional read goes upstream');

  t.is((await gw.request('POST', '/api/articles', { body: { article: {} } })).status, 401);
  t.is((await gw.request('POST', '/api/articles', { token, body: { article: { title: 'bad' } } })).status, 422);
  t.is((await gw.request('GET', path)).body.version, 0, 'refused writes (401, 422) changed nothing and empty nothing');
  t.is(upstreamReads(), before + 3);

  // Fetched again now, so that the write lands within the page's lifetime.
  await new Promise((r) => setTimeout(r, 1100));
  t.is((await gw.request('GET', path)).body.version, 0);
  t.is((await gw.request('POST', '/api/articles', { token, body: { article: { title: 'ok' } } })).status, 201);
  const writtenAt = Date.now();
  const kept = await gw.request('GET', path);
  if (Date.now() - writtenAt < 500) {
    t.is(kept.body.version, 0, 'another reader may get the page kept before the write (ADR 25)…');
    t.truthy(kept.headers.get('age'));
  }
  await new Promise((r) => setTimeout(r, Math.max(0, writtenAt + 1050 - Date.now())));
  const afterWrite = await gw.request('GET', path);
  t.is(afterWrite.body.version, 1, '…for at most s-maxage after the write');
  t.is(afterWrite.headers.get('age'), null);
});

test.serial('a signed-in read the upstream marks for the gateway is kept for that identity alone, never shown to another reader, and its writer\'s write drops it', async (t) => {
  let version = 0;
  gw.daprd.app('blog', (call) => {
    if (call.path === '/openapi.json') return { body: documents.blog };
    if (call.method === 'POST') return { status: 201, body: { ok: ++version } };
    const viewer = call.headers['x-auth-user-id'] ?? null;
    const headers: Record<string, string> = viewer
      ? { 'cache-control': 'private, no-cache', 'gateway-cache-control': 'max-age=5' }
      : { 'cache-control': 'public, max-age=0, s-maxage=5' };
    return { status: 200, headers, body: { version, viewer, session: call.headers['x-auth-session-id'] ?? null } };
  });
  const path = `/api/articles?limit=${Math.floor(Math.random() * 1e6)}`;
  const upstreamReads = () => gw.daprd.callsTo('blog', path).length;
  const [alice, bob] = [user(), user()];
  const aliceToken = await gw.tokenFor(alice);
  const first = await gw.request('GET', path, { token: aliceToken });
  const second = await gw.request('GET', path, { token: aliceToken });
  t.like(second.body, { viewer: alice.userId, session: alice.sessionId });
  t.is(second.headers.get('age'), '0', 'the second read came from memory');
  t.is(second.headers.get('gateway-cache-control'), null, 'the field for the gateway never reaches a client');
  t.is(first.headers.get('gateway-cache-control'), null);
  t.is(second.headers.get('cache-control'), 'private, no-cache', 'browsers get the answer\'s own Cache-Control');
  t.is(upstreamReads(), 1);

  t.like((await gw.request('GET', path, { token: await gw.tokenFor(bob) })).body, { viewer: bob.userId }, 'another user gets their own answer');
  t.like((await gw.request('GET', path, { token: await gw.tokenFor({ ...alice, sessionId: randomUUID() }) })).body, { viewer: alice.userId }, 'another session of the same user too');
  const anonymous = await gw.request('GET', path);
  t.like(anonymous.body, { viewer: null }, 'an anonymous reader never gets a viewer\'s answer');
  t.is(upstreamReads(), 4, 'each of them went upstream');
  t.is((await gw.request('GET', path, { token: 'not-a-token' })).status, 401, 'a bad token is refused before any cache');
  gw.revoked.add(alice.sessionId);
  gw.sessions.revoke([alice.sessionId]);
  t.is((await gw.request('GET', path, { token: aliceToken })).status, 401, 'a revoked session is refused although its answer is kept');

  const carol = user();
  const [carolToken, carolOtherToken, bobToken] = await Promise.all([gw.tokenFor(carol), gw.tokenFor({ ...carol, sessionId: randomUUID() }), gw.tokenFor(bob)]);
  for (const token of [carolToken, carolOtherToken, bobToken]) await gw.request('GET', path, { token });
  const readsBeforeWrite = upstreamReads();
  t.is((await gw.request('POST', '/api/articles', { token: carolToken, body: { article: { title: 'ok' } } })).status, 201);
  const afterWrite = await gw.request('GET', path, { token: carolToken });
  t.is(afterWrite.body.version, 1, 'the writer\'s next read sees the write at once');
  t.is(afterWrite.headers.get('age'), null);
  t.is((await gw.request('GET', path, { token: carolOtherToken })).body.version, 1, 'in their other session too');
  const bobsRead = await gw.request('GET', path, { token: bobToken });
  t.is(upstreamReads(), readsBeforeWrite + 2, 'only the writer\'s reads went upstream');
  t.is(bobsRead.headers.get('age'), '0', 'another reader keeps the answer kept for them, for its lifetime (ADR 25)');
});

test.serial('an answer fetched for another request never carries that request\'s trace context', async (t) => {
  const upstreamTrace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  gw.daprd.app('blog', async (call) => {
    if (call.path === '/openapi.json') return { body: documents.blog };
    await new Promise((r) => setTimeout(r, 100)); // long enough for the second reader to join this fetch
    return { status: 200, headers: { 'cache-control': 'public, max-age=0, s-maxage=5', traceparent: upstreamTrace }, body: { ok: true } };
  });
  const path = `/api/articles?limit=${Math.floor(Math.random() * 1e6)}`;
  const [owner, joiner] = await Promise.all([gw.request('GET', path), new Promise((r) => setTimeout(r, 20)).then(() => gw.request('GET', path))]);
  t.is(owner.headers.get('traceparent'), upstreamTrace, 'the request the upstream answered gets its trace context');
  t.not(joiner.headers.get('traceparent'), upstreamTrace, 'a request that joined the fetch does not');
  t.not((await gw.request('GET', path)).headers.get('traceparent'), upstreamTrace, 'nor does one answered from memory');
});

test.serial('a token verified once is not checked again, yet a tampered copy and an expired one are still refused (sessions are checked on every request as before)', async (t) => {
  echoBlog();
  const jake = user();
  const expiresAt = Math.floor(Date.now() / 1000) + 2;
  const token = await gw.tokenFor(jake, { expiresAt });
  t.is((await gw.request('GET', '/api/articles', { token })).status, 200);
  t.is((await gw.request('GET', '/api/articles', { token })).status, 200, 'answered from the verified-token cache');
  const [head, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const promoted = `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin', exp: claims.exp + 3600 })).toString('base64url')}.${signature}`;
  t.is((await gw.request('GET', '/api/articles', { token: promoted })).status, 401, 'a copy with other claims is verified on its own, and fails');
  t.is((await gw.request('GET', '/api/articles', { token: `${token}x` })).status, 401);
  const refusedAt = await eventually(async () => ((await gw.request('GET', '/api/articles', { token })).status === 401 ? Date.now() : undefined), 5_000, 100);
  t.truthy(refusedAt, 'refused once its exp has passed, although it was cached');
  t.true(refusedAt! < expiresAt * 1000 + 1_500, 'within a moment of its exp');
});

test.serial('routes nobody declares are 404 and never reach a service, whatever the spelling', async (t) => {
  echoBlog();
  const before = gw.daprd.callsTo('blog').length;
  for (const path of ['/api/nothing-here', '/internal/not-public', '/api/Articles', '/api//articles']) {
    const res = await gw.request('GET', path);
    t.true(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
  }
  const encodedSlash = await gw.request('GET', '/api/articles/a%2Fb');
  t.is(encodedSlash.status, 400, 'an encoded slash in a path is refused (ADR 11)');
  t.is(gw.daprd.callsTo('blog').length, before, 'nothing was forwarded');
});

test.serial('a verified token becomes the identity headers; identity headers and tokens a client sends are stripped', async (t) => {
  echoBlog();
  const jake = user();
  const token = await gw.tokenFor(jake);
  const ip = clientAddress();
  const res = await gw.request('POST', '/api/articles', {
    ip,
    token,
    body: { article: { title: 't' } },
    headers: { 'x-auth-user-id': randomUUID(), 'x-auth-role': 'admin', 'dapr-api-token': 'from the client' },
  });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { identity: jake.userId, role: 'user' });
  const call = gw.daprd.callsTo('blog', '/api/articles').at(-1)!;
  t.is(call.headers['dapr-api-token'], gw.daprd.apiToken, 'only the gateway’s own Dapr token goes to daprd');
  t.is(call.headers['x-forwarded-for'], ip, 'the client address the gateway determined');
  t.is(JSON.parse(call.body).article.title, 't');
});

test.serial('authentication and authorization happen at the gateway, answered in the route’s error style', async (t) => {
  echoBlog();
  const before = gw.daprd.callsTo('blog').length;
  const anonymous = await gw.request('POST', '/api/articles', { body: { article: {} } });
  t.is(anonymous.status, 401);
  t.truthy(anonymous.body.errors, 'RealWorld shape');
  const forged = await gw.request('POST', '/api/articles', { token: `${(await gw.tokenFor(user())).slice(0, -4)}AAAA`, body: { article: {} } });
  t.is(forged.status, 401);
  const plain = await gw.tokenFor(user('user'));
  t.is((await gw.request('POST', '/api/categories', { token: plain, body: {} })).status, 403, 'editors only');
  const revoked = user();
  const revokedToken = await gw.tokenFor(revoked);
  gw.revoked.add(revoked.sessionId);
  t.is((await gw.request('POST', '/api/articles', { token: revokedToken, body: { article: {} } })).status, 401, 'a revoked session (auth says so over gRPC)');
  t.is(gw.daprd.callsTo('blog').length, before, 'none of them reached the service');
  const editor = await gw.tokenFor(user('editor'));
  t.is((await gw.request('POST', '/api/categories', { token: editor, body: {} })).status, 201);
});

test.serial('upstream failures become 503 with Retry-After, never the upstream’s body; a slow upstream is 504', async (t) => {
  const failures: Record<string, { status: number; body: unknown; delayMs?: number }> = {
    '/api/articles/app-500': { status: 500, body: { stack: 'Error at secret.ts:12' } },
    '/api/articles/dapr-error': { status: 403, body: { errorCode: 'ERR_DIRECT_INVOKE', message: 'access control: spiffe://…/ns/default/gateway' } },
    '/api/articles/slow': { status: 200, body: {}, delayMs: 1500 },
  };
  gw.daprd.app('blog', (call) => (call.path === '/openapi.json' ? { body: documents.blog } : (failures[call.path] ?? { status: 200, body: {} })));
  for (const slug of ['app-500', 'dapr-error']) {
    const res = await gw.request('GET', `/api/articles/${slug}`);
    t.is(res.status, 503, slug);
    t.is(res.headers.get('retry-after'), '1');
    t.false(JSON.stringify(res.body).includes('secret.ts') || JSON.stringify(res.body).includes('spiffe'), JSON.stringify(res.body));
  }
  const slow = await gw.request('GET', '/api/articles/slow');
  t.is(slow.status, 504);
  // A client error of the service passes through unchanged.
  gw.daprd.app('blog', (call) => (call.path === '/openapi.json' ? { body: documents.blog } : { status: 422, body: { errors: { title: ["can't be blank"] } } }));
  const invalid = await gw.request('POST', '/api/articles', { token: await gw.tokenFor(user()), body: { article: {} } });
  t.deepEqual([invalid.status, invalid.body], [422, { errors: { title: ["can't be blank"] } }]);
});

test.serial('a service whose daprd cannot invoke it answers 503, not 500', async (t) => {
  gw.daprd.app('user', (call) => (call.path === '/openapi.json' ? { body: documents.user } : { status: 500, body: { errorCode: 'ERR_DIRECT_INVOKE', message: 'connection refused' } }));
  const res = await gw.request('GET', '/api/profiles/jake');
  t.is(res.status, 503);
  t.is(res.headers.get('retry-after'), '1');
});

test.serial('logins are rate-limited per client address: over the budget is 429 with Retry-After, other addresses go on', async (t) => {
  let logins = 0;
  gw.daprd.app('auth', (call) => {
    if (call.path === '/openapi.json') return { body: documents.auth };
    logins++;
    return { status: 401, body: { errors: { 'email or password': ['is invalid'] } } };
  });
  const ip = clientAddress();
  const login = (from: string) => gw.request('POST', '/api/users/login', { ip: from, body: { user: { email: 'a@example.test', password: 'nope' } } });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push((await login(ip)).status);
  t.deepEqual(answers, [401, 401, 401, 429]);
  const limited = await login(ip);
  t.truthy(limited.headers.get('retry-after'));
  t.is(logins, 3, 'the refused ones never reached auth');
  t.is((await login(clientAddress())).status, 401);
});

test.serial('only daprd may deliver events: /events/* without the app API token, or with a non-ASCII one, is 401', async (t) => {
  const event = { specversion: '1.0', id: randomUUID(), type: 'session.revoked', source: 'auth', data: { sessionId: randomUUID(), userId: randomUUID() } };
  const none = await gw.request('POST', '/events/session.revoked', { body: event });
  t.is(none.status, 401);
  const nonAscii = await fetch(`${gw.url}/events/session.revoked`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'dapr-api-token': Buffer.from('tökén-that-is-long-enough', 'utf8').toString('latin1') },
    body: JSON.stringify(event),
  });
  t.is(nonAscii.status, 401);
});

test.serial('readiness reports the sidecar and each service as reached through it', async (t) => {
  for (const app of ['auth', 'blog', 'user'] as const) {
    gw.daprd.app(app, (call) => (call.path === '/openapi.json' ? { body: documents[app] } : call.path === '/readyz' ? { body: { status: 'ok', caller: 'gateway' } } : { status: 404 }));
  }
  const ready = await eventually(async () => {
    const res = await gw.request('GET', '/readyz');
    return res.status === 200 && res.body;
  });
  t.like(ready, { status: 'ok', routes: { ok: true } });
  t.like(ready.checks, { sidecar: { ok: true }, auth: { ok: true, callerSeen: 'gateway' }, blog: { ok: true }, user: { ok: true } });
});
