import test from 'ava';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { api, eventually, register, stack } from '../support/stack.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Signs a token like the auth service does, with whatever header, claims and key a test wants. */
function forge(header: object, claims: object, key = createPrivateKey((JSON.parse(stack().secrets['jwt-signing-key']!) as { privateKeyPem: string }).privateKeyPem)) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
const kid = () => (JSON.parse(stack().secrets['jwt-signing-key']!) as { kid: string }).kid;
const now = () => Math.floor(Date.now() / 1000);

test('a valid token is accepted with either the Token or the Bearer scheme', async (t) => {
  const user = await register();
  t.is((await api('GET', '/api/user', { token: user.token, scheme: 'Token' })).status, 200);
  t.is((await api('GET', '/api/user', { token: user.token, scheme: 'Bearer' })).status, 200);
});

test('forged, expired, foreign and unsigned tokens are refused with 401', async (t) => {
  const user = await register();
  const good = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const cases: Record<string, string> = {
    'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: kid() })}.${b64(good)}.`,
    'HS256 with the public key as secret': `${b64({ alg: 'HS256', typ: 'JWT', kid: kid() })}.${b64(good)}.c2lnbmF0dXJl`,
    'another key, same kid': forge({ alg: 'ES256', typ: 'JWT', kid: kid() }, good, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
    'unknown kid': forge({ alg: 'ES256', typ: 'JWT', kid: 'nope' }, good),
    'wrong audience': forge({ alg: 'ES256', typ: 'JWT', kid: kid() }, { ...good, aud: 'someone-else' }),
    'wrong issuer': forge({ alg: 'ES256', typ: 'JWT', kid: kid() }, { ...good, iss: 'evil' }),
    expired: forge({ alg: 'ES256', typ: 'JWT', kid: kid() }, { ...good, iat: now() - 7200, exp: now() - 3600 }),
    'unknown session': forge({ alg: 'ES256', typ: 'JWT', kid: kid() }, { ...good, sid: randomUUID(), jti: randomUUID() }),
    garbage: 'not.a.jwt',
  };
  for (const [name, token] of Object.entries(cases)) {
    const res = await api('GET', '/api/user', { token });
    t.is(res.status, 401, name);
  }
  // Even on a route that allows anonymous callers, a bad token is an error, not anonymity.
  t.is((await api('GET', '/api/tags', { token: cases.expired })).status, 401);
});

test('identity headers sent by a client are ignored', async (t) => {
  const user = await register();
  const me = await api('GET', '/api/user', { token: user.token });
  const res = await api('GET', '/api/user', { headers: { 'x-auth-user-id': 'someone', 'x-auth-role': 'admin', 'x-auth-username': user.username } });
  t.is(res.status, 401);
  t.is(me.status, 200);
});

test('after logout the session token is refused at the gateway within one second', async (t) => {
  const user = await register();
  t.is((await api('GET', '/api/user', { token: user.token })).status, 200);
  const out = await api('POST', '/api/users/logout', { token: user.token });
  t.true(out.status === 204 || out.status === 200, `logout answered ${out.status}`);
  // Poll; the first refused request must have been sent within one second of the logout's answer.
  const loggedOutAt = Date.now();
  const refusedRequestSentAfter = await eventually(async () => {
    const sentAfter = Date.now() - loggedOutAt;
    return (await api('GET', '/api/user', { token: user.token })).status === 401 ? sentAfter + 1 : false;
  }, 5000, 50);
  t.true(refusedRequestSentAfter - 1 <= 1000, `the first refused request was sent ${refusedRequestSentAfter - 1} ms after logout`);
});

test('login attempts from one address are limited: 429 with Retry-After and RateLimit headers', async (t) => {
  const ip = `198.51.100.${(process.pid % 200) + 20}`;
  let last;
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) {
    last = await api('POST', '/api/users/login', { body: { user: { email: `nobody${i}@example.test`, password: 'wrong password' } }, headers: { 'x-forwarded-for': ip } });
    statuses.push(last.status);
    if (last.status === 429) break;
  }
  t.is(last!.status, 429, `statuses: ${statuses.join(',')}`);
  t.true(Number(last!.headers.get('retry-after')) >= 1);
  t.regex(last!.headers.get('ratelimit-policy') ?? '', /"login";q=\d+;w=60/);
  t.is(last!.body.code, 'RATE_LIMITED.LOGIN');
  // Another client address is not affected.
  const other = await api('POST', '/api/users/login', { body: { user: { email: 'x@example.test', password: 'wrong password' } }, headers: { 'x-forwarded-for': '198.51.100.250' } });
  t.not(other.status, 429);
});

test('successful responses carry RateLimit headers', async (t) => {
  const res = await api('GET', '/api/tags');
  t.is(res.status, 200);
  t.regex(res.headers.get('ratelimit') ?? '', /r=\d+;t=\d+/);
});

test('an oversized body is refused with 413 before reaching a service', async (t) => {
  const user = await register();
  const res = await api('POST', '/api/articles', { token: user.token, body: { article: { title: 't', description: 'd', body: 'x'.repeat(1_100_000) } } });
  t.is(res.status, 413);
  t.is(res.body.code, 'PAYLOAD_TOO_LARGE');
});

test('CORS preflight from a browser frontend is answered', async (t) => {
  const res = await fetch(`${stack().gatewayUrl}/api/articles`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.is(res.status, 204);
  t.truthy(res.headers.get('access-control-allow-origin'));
  t.regex(res.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
});

test('a request id sent by the client comes back, and one is made up otherwise', async (t) => {
  const mine = await api('GET', '/api/tags', { headers: { 'x-request-id': 'client-req-42' } });
  t.is(mine.headers.get('x-request-id'), 'client-req-42');
  const made = await api('GET', '/api/tags');
  t.regex(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a W3C traceparent sent by the client continues through the gateway and the sidecars', async (t) => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await api('GET', '/api/tags', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  t.is(res.status, 200);
  // daprd answers with the traceparent of its span, in the client's trace (or, when the gateway answered the
  // anonymous read from its cache, the gateway's own span: ADR 19).
  t.regex(res.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  const again = await api('GET', '/api/tags', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  t.regex(again.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`), `age ${again.headers.get('age')}`);
});
