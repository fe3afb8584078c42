/**
 * Attacker's notebook: tokens and sessions at the gateway. Some attacks assume the worst — a token signed with
 * the real key (a leaked key, or an auth bug) — to show that the gateway's own checks still hold.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import test from 'ava';
import { api, register, stack } from '../support/stack.js';
import { query } from '../support/db.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** A token signed with the stack's real signing key, with exactly the claims given. */
function signWithRealKey(claims: Record<string, unknown>): string {
  const key = JSON.parse(stack().secrets['jwt-signing-key']!) as { kid: string; privateKeyPem: string };
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'ES256', typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(head), { key: createPrivateKey(key.privateKeyPem), dsaEncoding: 'ieee-p1363' });
  return `${head}.${sig.toString('base64url')}`;
}

/** How often auth has served its internal key set (the gateway's fetches), from auth's own request metrics. */
async function keySetFetches(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${stack().apps.auth!.metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('route="/internal/jwks"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

test('tokens naming key ids auth never issued are refused, and 40 of them in a row refetch auth\'s key set at most once', async (t) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const forged = (kid: string) => {
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64({ alg: 'ES256', typ: 'JWT', kid })}.${b64({ sub: randomUUID(), sid: randomUUID(), username: 'x', role: 'admin', iss: 'vcd-simple-blog/auth', aud: 'vcd-simple-blog', iat: now, exp: now + 600 })}`;
    return `${head}.${sign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const someone = await register();
  t.is((await api('GET', '/api/user', { token: someone.token })).status, 200); // the gateway holds auth's key set
  const before = await keySetFetches();
  t.true(before >= 1, 'the metric counts the gateway\'s fetches of the key set');
  // In waves, one after another: concurrent lookups would share one fetch even without a cooldown.
  const answers = [];
  for (let wave = 0; wave < 8; wave++) answers.push(...(await Promise.all(Array.from({ length: 5 }, () => api('GET', '/api/user', { token: forged(randomUUID()) })))));
  t.deepEqual([...new Set(answers.map((a) => a.status))], [401]);
  const fetched = (await keySetFetches()) - before;
  t.true(fetched <= 1, `${fetched} fetches of auth's key set for 40 unknown kids`);
});

test('a token without exp is refused, even when signed with the real key for a live session', async (t) => {
  const user = await register();
  const { exp: _exp, ...rest } = claimsOf(user.token);
  const forever = signWithRealKey(rest);
  t.is((await api('GET', '/api/user', { token: forever })).status, 401);
  const same = signWithRealKey({ ...rest, exp: Math.floor(Date.now() / 1000) + 600 });
  t.is((await api('GET', '/api/user', { token: same })).status, 200); // the forging itself is sound: only exp differs
});

test("a token naming someone else's cached session is refused, and the owner keeps working", async (t) => {
  const victim = await register();
  const attacker = await register();
  t.is((await api('GET', '/api/user', { token: victim.token })).status, 200); // the victim's session is now cached
  const victimClaims = claimsOf(victim.token);
  const attackerClaims = claimsOf(attacker.token);
  const crossed = signWithRealKey({ ...attackerClaims, sid: victimClaims.sid, jti: randomUUID() });
  for (let i = 0; i < 3; i++) t.is((await api('GET', '/api/user', { token: crossed })).status, 401);
  const asVictim = signWithRealKey({ ...victimClaims, sub: attackerClaims.sub, username: attackerClaims.username, jti: randomUUID() });
  t.is((await api('GET', '/api/user', { token: asVictim })).status, 401);
  const me = await api('GET', '/api/user', { token: victim.token });
  t.is(me.status, 200);
  t.is(me.body.user.username, victim.username);
});

test('a role change takes effect at the gateway within 1 s (user.role_changed drops the cached session)', async (t) => {
  const admin = await register();
  const target = await register();
  await query('auth', `update account set role = 'admin' where username = $1`, [admin.username]);
  const adminLogin = await api('POST', '/api/users/login', { body: { user: { email: admin.email, password: admin.password } } });
  const adminToken = adminLogin.body.user.token as string;
  const category = () => api('POST', '/api/categories', { token: target.token, body: { category: { name: `Cat ${randomUUID().slice(0, 8)}` } } });
  t.is((await category()).status, 403); // as a user; the session is cached now
  t.is((await api('PUT', `/api/admin/users/${target.username}/role`, { token: adminToken, body: { role: 'editor' } })).status, 200);
  const started = Date.now();
  let status = 0;
  while (Date.now() - started < 1000 && status !== 201) {
    status = (await category()).status;
    if (status !== 201) await new Promise((r) => setTimeout(r, 50));
  }
  t.is(status, 201, 'the editor role did not apply within 1 s');
  // And back: demoted, the same token loses the right just as fast.
  t.is((await api('PUT', `/api/admin/users/${target.username}/role`, { token: adminToken, body: { role: 'user' } })).status, 200);
  const demoted = Date.now();
  while (Date.now() - demoted < 1000 && status !== 403) {
    status = (await category()).status;
    if (status !== 403) await new Promise((r) => setTimeout(r, 50));
  }
  t.is(status, 403);
});

test('the login budget cannot be dodged by spelling the path differently', async (t) => {
  const ip = `198.51.100.${(process.pid % 200) + 20}`;
  const spellings = ['/api/Users/Login', '/api/users//login', '/api/users/login/', '/api/users/%6cogin', '/api/users/./login'];
  for (const path of spellings) {
    const res = await fetch(`${stack().gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: '{"user":{"email":"x@y.test","password":"wrong"}}' });
    const policy = res.headers.get('ratelimit-policy') ?? '';
    // Either refused before any route (no budget spent, no password checked) or counted as a login.
    t.true(res.status === 400 || res.status === 404 || policy.includes('"login"'), `${path}: ${res.status} ${policy}`);
  }
});
