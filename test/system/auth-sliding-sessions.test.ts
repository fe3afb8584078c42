/**
 * Sliding sessions for RealWorld frontends (docs/adr/0013-sliding-sessions.md), proved with the test stack's
 * lifetimes (scripts/test.ts): access tokens from POST /api/users/refresh live ACCESS_TOKEN_TTL_SECONDS (5 s);
 * login and registration tokens live with their session. Idle expiry is crossed by moving a session's last use
 * back in auth's database by the configured idle timeout, not by sleeping for it.
 */
import { createPrivateKey, sign } from 'node:crypto';
import test from 'ava';
import { AuthService, DaprGrpcInvoker } from '@vcd/contracts';
import { query } from '../support/db.js';
import { api, eventually, stack } from '../support/stack.js';
import { accountRow, claimsOf, freshIp, from, loginFrom, registerFrom, tokenFromLink, waitForMail } from '../../services/auth/test/support/auth-system.js';

const ACCESS_TTL_S = Number(process.env.ACCESS_TOKEN_TTL_SECONDS ?? 900);
const IDLE_S = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS ?? 30 * 86_400);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Until every short access token issued before now has expired (whole seconds, plus a margin). */
const pastAccessLifetime = () => sleep((ACCESS_TTL_S + 1.2) * 1000);

const me = (token: string) => api('GET', '/api/user', { token });
const lastUsed = async (sid: string) => new Date((await query<{ last_used_at: Date }>('auth', 'select last_used_at from session where id = $1', [sid]))[0]!.last_used_at).getTime();
const backdate = (sid: string, seconds: number) =>
  query('auth', `update session set last_used_at = now() - make_interval(secs => $2) where id = $1`, [sid, seconds]);
const gatewayGrpc = () => {
  const gw = stack().apps.gateway!;
  return new DaprGrpcInvoker({ host: '127.0.0.1', grpcPort: gw.daprGrpcPort, apiToken: gw.daprApiToken });
};
/** Refused at the gateway with the RealWorld shape, as a RealWorld frontend reads it. */
const refusedWithErrors = (res: { status: number; body: { errors?: Record<string, string[]> } }) =>
  res.status === 401 && Array.isArray(res.body?.errors?.token);

test.before(() => {
  if (ACCESS_TTL_S > 10) throw new Error('these tests need the test stack short access tokens (scripts/test.ts sets ACCESS_TOKEN_TTL_SECONDS)');
});

test('a RealWorld login token keeps working after the access-token lifetime while its session lives; a refreshed short token does not', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const login = await loginFrom(ip, user.email, user.password);
  t.is(login.status, 200);
  const token = login.body.user.token as string;
  const refreshed = await api('POST', '/api/users/refresh', { body: { user: { refreshToken: login.body.user.refreshToken } }, headers: from(ip) });
  t.is(refreshed.status, 200);
  const short = refreshed.body.user.token as string;
  t.is(claimsOf(short).sid, claimsOf(token).sid, 'both tokens belong to the same session');
  t.is((await me(short)).status, 200);
  t.true(Number(claimsOf(short).exp) - Number(claimsOf(short).iat) <= ACCESS_TTL_S);

  await pastAccessLifetime();
  const later = await me(token);
  t.is(later.status, 200, 'the session token is still accepted');
  t.is(later.body.user.token, token, 'GET /api/user hands the same token back');
  const article = await api('POST', '/api/articles', { token, body: { article: { title: `Still signed in ${Date.now()}`, description: 'd', body: 'b' } } });
  t.is(article.status, 201, 'publishing after the access-token lifetime works');
  // The short token of the same, live and busy session does not slide: its exp is final.
  const expired = await me(short);
  t.true(refusedWithErrors(expired), JSON.stringify(expired.body));
  t.is((await me(token)).status, 200);
});

test('a registration token is a session token too, and a username change keeps it one', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  await pastAccessLifetime();
  t.is((await me(user.token)).status, 200);
  const renamed = await api('PUT', '/api/user', { token: user.token, body: { user: { username: `${user.username}x` } } });
  t.is(renamed.status, 200);
  const next = renamed.body.user.token as string;
  t.not(next, user.token);
  t.is(claimsOf(next).username, `${user.username}x`);
  t.is(claimsOf(next).exp, claimsOf(user.token).exp, 'the new token ends when the one it replaces would');
  t.is((await me(next)).status, 200);
});

for (const [name, end] of [
  ['logout', (token: string) => api('POST', '/api/users/logout', { token })],
  ['logout everywhere', (token: string) => api('POST', '/api/users/logout-all', { token })],
] as const) {
  test(`after ${name}, a session token older than the access-token lifetime is refused at the gateway within one second`, async (t) => {
    const user = await registerFrom(freshIp());
    await pastAccessLifetime();
    t.is((await me(user.token)).status, 200, 'valid, and cached at the gateway');
    t.is((await end(user.token)).status, 204);
    const started = Date.now();
    await eventually(async () => refusedWithErrors(await me(user.token)), 1000, 25);
    t.log(`refused after ${Date.now() - started} ms`);
    // Replayed later, it stays refused (the gateway's cached answer is gone, auth says revoked).
    await sleep(300);
    t.true(refusedWithErrors(await me(user.token)));
  });
}

test('after a password reset, every session token of the account is refused within one second', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const laptop = (await loginFrom(ip, user.email, user.password)).body.user.token as string;
  await pastAccessLifetime();
  for (const token of [user.token, laptop]) t.is((await me(token)).status, 200);
  t.is((await api('POST', '/api/users/password-reset', { body: { user: { email: user.email } }, headers: from(ip) })).status, 202);
  const resetToken = tokenFromLink(await waitForMail(user.email, /Reset your password/), 'reset-password');
  const confirmed = await api('POST', '/api/users/password-reset/confirm', { body: { token: resetToken, password: `a new passphrase ${Date.now()}` }, headers: from(ip) });
  t.true(confirmed.status >= 200 && confirmed.status < 300, JSON.stringify(confirmed.body));
  const started = Date.now();
  for (const token of [user.token, laptop]) await eventually(async () => refusedWithErrors(await me(token)), 1000, 25);
  t.log(`both refused after ${Date.now() - started} ms`);
});

test('using a session slides its idle deadline; a session unused for the idle timeout is refused and stays refused', async (t) => {
  const user = await registerFrom(freshIp());
  const { sid, sub } = claimsOf(user.token);
  // Almost idle (a minute left): the next use is accepted and moves the last use to now.
  await backdate(sid, IDLE_S - 60);
  const before = await lastUsed(sid);
  t.is((await me(user.token)).status, 200);
  const slid = await lastUsed(sid);
  t.true(slid - before >= (IDLE_S - 120) * 1000, 'the last use moved to about now');
  t.true(Math.abs(slid - Date.now()) < 60_000);
  const answer = await gatewayGrpc().call(AuthService.ValidateToken, { sessionId: sid, userId: sub });
  t.true(answer.valid);
  const activeUntil = Number(answer.activeUntilMs);
  t.true(Math.abs(activeUntil - (slid + IDLE_S * 1000)) < 5_000, 'ValidateToken says when the session ends unless used');

  // A second session, left idle for the whole timeout: refused, without a token lifetime having anything to do with it.
  const idle = await registerFrom(freshIp());
  const idleSid = claimsOf(idle.token).sid;
  await backdate(idleSid, IDLE_S + 1);
  const refused = await me(idle.token);
  t.true(refusedWithErrors(refused), JSON.stringify(refused.body));
  t.like(await gatewayGrpc().call(AuthService.ValidateToken, { sessionId: idleSid, userId: claimsOf(idle.token).sub }), { valid: false, reason: 'idle' });
  // Knocking again does not bring it back, nor does it record a use; its refresh token is dead too.
  const stillBefore = await lastUsed(idleSid);
  t.true(refusedWithErrors(await me(idle.token)));
  t.is(await lastUsed(idleSid), stillBefore);
  t.is((await api('POST', '/api/users/refresh', { body: { user: { refreshToken: idle.refreshToken } }, headers: from(freshIp()) })).status, 401);
  const sessions = await api('GET', '/api/user/sessions', { token: user.token });
  t.is(sessions.body.sessions.length, 1);
  t.true(Math.abs(new Date(sessions.body.sessions[0].expiresAt).getTime() - activeUntil) < 5_000, 'the session list shows when it ends unless used');
});

/** A token signed with the stack's real key: what an attacker holding a leaked key, or tampering, could present. */
function resign(token: string, change: Record<string, unknown>, realKey: boolean): string {
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), ...change };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  if (!realKey) return `${head}.${body}.${signature}`;
  const key = JSON.parse(stack().secrets['jwt-signing-key']!) as { privateKeyPem: string };
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: createPrivateKey(key.privateKeyPem), dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${sig.toString('base64url')}`;
}

test('attacks: a short token with a tampered exp, a token moved to another session, and a revoked session replayed are all refused', async (t) => {
  const ip = freshIp();
  const victim = await registerFrom(ip);
  const attacker = await registerFrom(ip);
  const refreshed = await api('POST', '/api/users/refresh', { body: { user: { refreshToken: attacker.refreshToken } }, headers: from(ip) });
  const short = refreshed.body.user.token as string;
  const farFuture = Math.floor(Date.now() / 1000) + 365 * 86_400;
  // Stretching a short token's exp (the signature no longer matches).
  t.true(refusedWithErrors(await me(resign(short, { exp: farFuture }, false))));
  // Pointing one's own token at the victim's session, or the victim's token at oneself.
  t.true(refusedWithErrors(await me(resign(attacker.token, { sid: claimsOf(victim.token).sid }, false))));
  t.true(refusedWithErrors(await me(resign(victim.token, { sub: claimsOf(attacker.token).sub }, false))));
  // Even with the real key (a leak): another user's session is not one's own, and the short token's session
  // lives but the token's own exp, once past, is final.
  t.true(refusedWithErrors(await me(resign(attacker.token, { sid: claimsOf(victim.token).sid }, true))));
  await pastAccessLifetime();
  t.true(refusedWithErrors(await me(short)), 'a refreshed short token does not slide');
  // A revoked session replayed, long after the access-token lifetime and after the gateway's cached answer.
  t.is((await api('POST', '/api/users/logout', { token: attacker.token })).status, 204);
  await eventually(async () => refusedWithErrors(await me(attacker.token)), 1000, 25);
  await sleep(500);
  for (let i = 0; i < 3; i++) t.true(refusedWithErrors(await me(attacker.token)));
  t.like(await gatewayGrpc().call(AuthService.ValidateToken, { sessionId: claimsOf(attacker.token).sid, userId: claimsOf(attacker.token).sub }), { valid: false, reason: 'revoked' });
  // A forged re-signed token of the revoked session with a fresh exp does not revive it either.
  t.true(refusedWithErrors(await me(resign(attacker.token, { exp: farFuture, jti: 'x' }, true))));
  t.is((await me(victim.token)).status, 200, 'the victim was never affected');
  void accountRow;
});
