import test from 'ava';
import { AuthService, DaprGrpcInvoker } from '@vcd/contracts';
import { query } from '../support/db.js';
import { api, eventually, newUser, stack } from '../support/stack.js';
import { accountRow, claimsOf, freshIp, from, loginFrom, outboxEvents, registerFrom, sessionRows, viaGatewaySidecar } from '../../services/auth/test/support/auth-system.js';

const refresh = (refreshToken: string, ip = freshIp()) => api('POST', '/api/users/refresh', { body: { user: { refreshToken } }, headers: from(ip) });

/** A gRPC client of our contracts through a given app's own daprd (Dapr InvokeService). */
const grpcAs = (appId: string) => {
  const app = stack().apps[appId]!;
  return new DaprGrpcInvoker({ host: '127.0.0.1', grpcPort: app.daprGrpcPort, apiToken: app.daprApiToken });
};

test('a refresh token rotates: new tokens for the same session, and the spent one cannot be used again', async (t) => {
  const user = await registerFrom(freshIp());
  const first = await refresh(user.refreshToken);
  t.is(first.status, 200);
  t.like(first.body.user, { username: user.username, email: user.email });
  t.not(first.body.user.refreshToken, user.refreshToken);
  t.is(claimsOf(first.body.user.token).sid, claimsOf(user.token).sid);
  t.not(claimsOf(first.body.user.token).jti, claimsOf(user.token).jti);
  t.is((await api('GET', '/api/user', { token: first.body.user.token })).status, 200);
  const second = await refresh(first.body.user.refreshToken);
  t.is(second.status, 200);
  const rows = await query<{ n: number }>('auth', 'select count(*)::int as n from refresh_token where session_id = $1 and rotated_at is not null', [claimsOf(user.token).sid]);
  t.is(rows[0]!.n, 2, 'two spent tokens in the family');
});

test('reusing a spent refresh token revokes the whole family and publishes session.revoked', async (t) => {
  const user = await registerFrom(freshIp());
  const rotated = await refresh(user.refreshToken);
  t.is(rotated.status, 200);
  const reuse = await refresh(user.refreshToken);
  t.is(reuse.status, 401);
  t.is(reuse.body.code, 'AUTH.REFRESH_TOKEN_REUSED');
  // The legitimate holder's newer token dies with the family, and so does the access token.
  const after = await refresh(rotated.body.user.refreshToken);
  t.is(after.status, 401);
  t.is(after.body.code, 'AUTH.INVALID_REFRESH_TOKEN');
  const row = await accountRow(user.username);
  const [session] = await sessionRows(row.id);
  t.is(session!.revoked_reason, 'refresh_token_reuse');
  const [event] = await outboxEvents('session.revoked', row.id);
  t.like(event!.payload, { sessionIds: [session!.id], reason: 'refresh_token_reuse' });
  await eventually(async () => (await api('GET', '/api/user', { token: rotated.body.user.token })).status === 401, 1000);
  t.pass();
});

test('an unknown or malformed refresh token is refused', async (t) => {
  t.is((await refresh('A'.repeat(43))).status, 401);
  const blank = await api('POST', '/api/users/refresh', { body: { user: {} }, headers: from(freshIp()) });
  t.is(blank.status, 422);
  t.truthy(blank.body.errors.refreshToken);
});

test('after logout the access token is refused at the gateway within one second, and the refresh token too', async (t) => {
  const user = await registerFrom(freshIp());
  t.is((await api('GET', '/api/user', { token: user.token })).status, 200, 'valid (and now cached at the gateway)');
  const out = await api('POST', '/api/users/logout', { token: user.token });
  t.is(out.status, 204);
  const started = Date.now();
  await eventually(async () => (await api('GET', '/api/user', { token: user.token })).status === 401, 1000, 25);
  t.log(`refused after ${Date.now() - started} ms`);
  t.is((await refresh(user.refreshToken)).status, 401);
  const row = await accountRow(user.username);
  const [session] = await sessionRows(row.id);
  t.is(session!.revoked_reason, 'logout');
  const [event] = await outboxEvents('session.revoked', row.id);
  t.like(event!.payload, { userId: row.id, sessionIds: [session!.id], reason: 'logout' });
});

test('logout everywhere ends every session of the user and no one else’s', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const laptop = await loginFrom(ip, user.email, user.password);
  const bystander = await registerFrom(ip);
  t.is((await api('POST', '/api/users/logout-all', { token: laptop.body.user.token })).status, 204);
  const row = await accountRow(user.username);
  const sessions = await sessionRows(row.id);
  t.is(sessions.length, 2);
  t.true(sessions.every((s) => s.revoked_reason === 'logout_all'));
  const [event] = await outboxEvents('session.revoked', row.id);
  t.deepEqual([...(event!.payload.sessionIds as string[])].sort(), sessions.map((s) => s.id).sort());
  for (const token of [user.token, laptop.body.user.token]) {
    await eventually(async () => (await api('GET', '/api/user', { token })).status === 401, 1000);
  }
  t.is((await api('GET', '/api/user', { token: bystander.token })).status, 200);
});

test('I can list my sessions and end one of them, but not someone else’s', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const phone = await api('POST', '/api/users/login', { body: { user: { email: user.email, password: user.password } }, headers: { ...from(ip), 'user-agent': 'PhoneApp/1.0' } });
  const list = await api('GET', '/api/user/sessions', { token: user.token });
  t.is(list.status, 200);
  t.is(list.body.sessions.length, 2);
  const current = list.body.sessions.find((s: { current: boolean }) => s.current);
  t.is(current.id, claimsOf(user.token).sid);
  const other = list.body.sessions.find((s: { id: string }) => s.id === claimsOf(phone.body.user.token).sid);
  t.is(other.userAgent, 'PhoneApp/1.0');
  t.regex(other.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const stranger = await registerFrom(ip);
  const denied = await api('DELETE', `/api/user/sessions/${other.id}`, { token: stranger.token });
  t.is(denied.status, 404);
  t.is((await api('DELETE', '/api/user/sessions/not-a-uuid', { token: user.token })).status, 422);

  t.is((await api('DELETE', `/api/user/sessions/${other.id}`, { token: user.token })).status, 204);
  const after = await api('GET', '/api/user/sessions', { token: user.token });
  t.deepEqual(after.body.sessions.map((s: { id: string }) => s.id), [current.id]);
  await eventually(async () => (await api('GET', '/api/user', { token: phone.body.user.token })).status === 401, 1000);
  t.is((await api('DELETE', `/api/user/sessions/${other.id}`, { token: user.token })).status, 404, 'already ended');
  const row = await accountRow(user.username);
  t.like((await outboxEvents('session.revoked', row.id))[0]!.payload, { sessionIds: [other.id], reason: 'revoked' });
});

test('ValidateToken answers over gRPC through the sidecars, to the gateway only', async (t) => {
  const user = await registerFrom(freshIp());
  const { sub, sid } = claimsOf(user.token);
  const gateway = grpcAs('gateway');
  const answer = await gateway.call(AuthService.ValidateToken, { sessionId: sid, userId: sub });
  const { activeUntilMs, ...rest } = answer;
  t.deepEqual(rest, { $typeName: 'vcd.auth.v1.ValidateTokenResponse', valid: true, userId: sub, username: user.username, role: 'user', reason: '' });
  t.true(Number(activeUntilMs) > Date.now(), 'and until when the session lives unless used again (ADR 13)');
  t.like(await gateway.call(AuthService.ValidateToken, { sessionId: sid, userId: '00000000-0000-4000-8000-000000000000' }), { valid: false, reason: 'unknown' });
  t.like(await gateway.call(AuthService.ValidateToken, { sessionId: 'garbage', userId: sub }), { valid: false, reason: 'unknown' });
  await api('POST', '/api/users/logout', { token: user.token });
  t.like(await gateway.call(AuthService.ValidateToken, { sessionId: sid, userId: sub }), { valid: false, reason: 'revoked' });
  await query('auth', `update session set revoked_at = null, expires_at = now() - interval '1 second' where id = $1`, [sid]);
  t.like(await gateway.call(AuthService.ValidateToken, { sessionId: sid, userId: sub }), { valid: false, reason: 'expired' });
  // The same call from another service is refused by auth.
  await t.throwsAsync(grpcAs('blog').call(AuthService.ValidateToken, { sessionId: sid, userId: sub }));
});

test('an admin sets roles; the new role is what ValidateToken reports; others may not', async (t) => {
  const ip = freshIp();
  const admin = await registerFrom(ip);
  const target = await registerFrom(ip);
  const body = { role: 'editor' };
  const byUser = await api('PUT', `/api/admin/users/${target.username}/role`, { token: admin.token, body });
  t.is(byUser.status, 403);
  await query('auth', `update account set role = 'admin' where username = $1`, [admin.username]);
  const adminLogin = await loginFrom(ip, admin.email, admin.password);
  const token = adminLogin.body.user.token as string;
  t.is(claimsOf(token).role, 'admin');
  const res = await api('PUT', `/api/admin/users/${target.username}/role`, { token, body });
  t.is(res.status, 200);
  t.deepEqual(res.body, { user: { username: target.username, role: 'editor' } });
  t.is((await accountRow(target.username)).role, 'editor');
  const { sub, sid } = claimsOf(target.token);
  t.like(await grpcAs('gateway').call(AuthService.ValidateToken, { sessionId: sid, userId: sub }), { valid: true, role: 'editor' });
  t.is((await api('PUT', `/api/admin/users/nobody-${Date.now()}/role`, { token, body })).status, 404);
  const bad = await api('PUT', `/api/admin/users/${target.username}/role`, { token, body: { role: 'overlord' } });
  t.is(bad.status, 422);
  t.truthy(bad.body.errors.role);
});

test('the JWKS is served to the gateway internally and publicly, listing every accepted key', async (t) => {
  const accepted = (JSON.parse(stack().secrets['jwt-public-keys']!) as { kid: string }[]).map((k) => k.kid);
  const internal = await viaGatewaySidecar('GET', 'internal/jwks');
  t.is(internal.status, 200);
  t.deepEqual(internal.body.keys.map((k: { kid: string }) => k.kid), accepted);
  const pub = await api('GET', '/api/users/jwks.json');
  t.deepEqual(pub.body, internal.body);
  for (const k of pub.body.keys) t.deepEqual(Object.keys(k).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  t.falsy(JSON.stringify(pub.body).match(/"d"/), 'no private part');
});

test('refresh and logout routes are in the public OpenAPI document, the internal JWKS is not', async (t) => {
  const doc = await api('GET', '/api/openapi.json');
  t.is(doc.status, 200);
  for (const path of ['/api/users/refresh', '/api/users/logout', '/api/users/logout-all', '/api/user/sessions', '/api/user/sessions/{id}', '/api/users/verification', '/api/users/verification/confirm', '/api/users/password-reset', '/api/users/password-reset/confirm', '/api/admin/users/{username}/role', '/api/users/jwks.json']) {
    t.truthy(doc.body.paths[path], path);
  }
  t.falsy(doc.body.paths['/internal/jwks']);
  void newUser;
});
