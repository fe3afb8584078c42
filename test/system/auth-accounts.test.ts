import test from 'ava';
import { createPublicKey } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { query } from '../support/db.js';
import { api, newUser, DEFAULT_AVATAR } from '../support/stack.js';
import {
  accountRow, claimsOf, freshIp, from, headerOf, loginFrom, mailsTo, outboxEvents, registerFrom, sessionRows, waitForMail,
} from '../../services/auth/test/support/auth-system.js';

test('registering answers the RealWorld user with an ES256 access token the JWKS verifies, and a refresh token', async (t) => {
  const user = newUser('reg');
  const res = await api('POST', '/api/users', { body: { user }, headers: from(freshIp()) });
  t.is(res.status, 201);
  t.like(res.body.user, { email: user.email, username: user.username, bio: null, image: DEFAULT_AVATAR });
  t.regex(res.body.user.refreshToken, /^[A-Za-z0-9_-]{43}$/, '256-bit opaque refresh token');

  const jwks = await api('GET', '/api/users/jwks.json');
  t.is(jwks.status, 200);
  const kid = headerOf(res.body.user.token).kid;
  const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === kid);
  t.like(jwk, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  const claims = jsonwebtoken.verify(res.body.user.token, createPublicKey({ key: jwk, format: 'jwk' }), {
    algorithms: ['ES256'],
    audience: 'vcd-simple-blog',
    issuer: 'vcd-simple-blog/auth',
  }) as Record<string, number | string>;
  t.true(Number(claims.exp) - Number(claims.iat) >= 30 * 86_400, 'a session token: it lives as long as its session may (ADR 13)');
  for (const claim of ['sub', 'sid', 'jti']) t.truthy(claims[claim], claim);

  const row = await accountRow(user.username);
  t.is(row.id, String(claims.sub));
  t.regex(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'argon2id with explicit OWASP parameters');
  const [event] = await outboxEvents('user.registered', row.id);
  t.like(event!.payload, { userId: row.id, username: user.username, email: user.email });
  t.deepEqual((await sessionRows(row.id)).map((s) => s.id), [claims.sid]);
});

test('right after the 201 the new user and its profile are readable, every time', async (t) => {
  const ip = freshIp();
  for (let i = 0; i < 5; i++) {
    const user = await registerFrom(ip, newUser('now'));
    const [me, profile] = await Promise.all([api('GET', '/api/user', { token: user.token }), api('GET', `/api/profiles/${user.username}`)]);
    t.is(me.status, 200, `GET /api/user #${i}`);
    t.is(me.body.user.username, user.username);
    t.is(profile.status, 200, `GET /api/profiles/:username #${i}`);
    t.is(profile.body.profile.username, user.username);
  }
});

test('invalid registrations name the field in RealWorld 422 errors', async (t) => {
  const ip = freshIp();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ ...newUser(), password: 'short' }, 'password', /too short/],
    [{ ...newUser(), password: 'password123' }, 'password', /too common/],
    [{ ...newUser(), password: 'Sunshine1' }, 'password', /too common/],
    [{ ...newUser(), email: 'not-an-email' }, 'email', /invalid/],
    [{ ...newUser(), username: '' }, 'username', /blank/],
    [{ email: 'x@example.test', password: 'a long enough passphrase' }, 'username', /blank/],
  ];
  for (const [user, field, message] of cases) {
    const res = await api('POST', '/api/users', { body: { user }, headers: from(ip) });
    t.is(res.status, 422, field);
    t.regex(res.body.errors[field]?.[0] ?? '', message, `${field}: ${JSON.stringify(res.body)}`);
  }
  const rows = await query('auth', `select 1 from account where username = any($1)`, [cases.map(([u]) => u.username)]);
  t.is(rows.length, 0, 'nothing was created');
});

test('long passphrases are accepted whole and never truncated', async (t) => {
  const ip = freshIp();
  const passphrase = `${'correct horse battery staple '.repeat(4)}and then some`; // 129 characters
  const user = await registerFrom(ip, { ...newUser('long'), password: passphrase });
  t.is((await loginFrom(ip, user.email, passphrase)).status, 200);
  t.is((await loginFrom(ip, user.email, passphrase.slice(0, 72))).status, 401, 'a 72-byte prefix (bcrypt-style truncation) is not enough');
  t.is((await loginFrom(ip, user.email, passphrase.slice(0, -1))).status, 401);
});

test('a taken username is a 422 on the username (usernames are public anyway)', async (t) => {
  const ip = freshIp();
  const first = await registerFrom(ip);
  const res = await api('POST', '/api/users', { body: { user: { ...newUser(), username: first.username.toUpperCase() } }, headers: from(ip) });
  t.is(res.status, 422);
  t.deepEqual(res.body.errors, { username: ['has already been taken'] });
});

test('registering with an address that has an account looks like any registration; the owner is told by mail', async (t) => {
  const ip = freshIp();
  const owner = await registerFrom(ip);
  const fresh = newUser('fresh');
  const dup = { ...newUser('dup'), email: owner.email.toUpperCase() };
  const [a, b] = [
    await api('POST', '/api/users', { body: { user: fresh }, headers: from(ip) }),
    await api('POST', '/api/users', { body: { user: dup }, headers: from(ip) }),
  ];
  t.is(a.status, 201);
  t.is(b.status, 201, 'same status as a fresh address');
  t.deepEqual(Object.keys(b.body.user).sort(), Object.keys(a.body.user).sort(), 'same shape');
  t.is(b.body.user.email, owner.email, 'it shows the address it typed');
  t.is((await api('GET', '/api/user', { token: b.body.user.token })).status, 200, 'the token works like any other');

  // Logging in with the address and either password reaches the account that password belongs to.
  const asDup = await loginFrom(ip, owner.email, dup.password);
  t.is(asDup.status, 200);
  t.is(asDup.body.user.username, dup.username);
  const asOwner = await loginFrom(ip, owner.email, owner.password);
  t.is(asOwner.body.user.username, owner.username);

  // The address stays the owner's: the duplicate only claims it and never receives mail for it.
  const row = await accountRow(dup.username);
  t.is(row.email, null);
  t.is(row.claimed_email, owner.email);
  const notice = await waitForMail(owner.email, /tried to sign up/);
  t.regex(notice.text, /already\s+has one/);
  const confirms = (await mailsTo(owner.email)).filter((m) => /Confirm/.test(m.subject));
  // Once so far (a CI run of ec70bbf) MailDev held two: the message says where each came from, should it happen again.
  const explain = async () => JSON.stringify({
    caught: confirms.map((m) => ({ id: m.id, date: m.date, messageId: m.messageId })),
    outbox: await query('auth', `select id, subject, created_at, sent_at, attempts, lease_owner from mail_outbox where lower(to_address) = lower($1) order by created_at`, [owner.email]),
  });
  t.is(confirms.length, 1, `only the owner’s own verification mail${confirms.length === 1 ? '' : `: ${await explain()}`}`);
});

test('login accepts the RealWorld body and both authorization schemes work with its token', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const res = await loginFrom(ip, `  ${user.email.toUpperCase()} `, user.password);
  t.is(res.status, 200);
  t.like(res.body.user, { email: user.email, username: user.username });
  t.truthy(res.body.user.refreshToken);
  t.is((await api('GET', '/api/user', { token: res.body.user.token, scheme: 'Token' })).status, 200);
  t.is((await api('GET', '/api/user', { token: res.body.user.token, scheme: 'Bearer' })).status, 200);
  const missing = await api('POST', '/api/users/login', { body: { user: { email: user.email } }, headers: from(ip) });
  t.is(missing.status, 422);
  t.truthy(missing.body.errors.password);
});

test('changing username and e-mail publishes user.updated, re-verifies the new address and answers a token with the new name', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const renamed = newUser('renamed');
  const res = await api('PUT', '/api/user', { token: user.token, body: { user: { username: renamed.username, email: renamed.email, currentPassword: user.password } } });
  t.is(res.status, 200);
  t.like(res.body.user, { username: renamed.username, email: renamed.email });
  t.is(claimsOf(res.body.user.token).username, renamed.username);
  t.is(claimsOf(res.body.user.token).sid, claimsOf(user.token).sid, 'same session');
  const row = await accountRow(renamed.username);
  t.is(row.email, renamed.email);
  t.is(row.email_verified_at, null);
  const [updated] = await outboxEvents('user.updated', row.id);
  t.like(updated!.payload, { userId: row.id, username: renamed.username, email: renamed.email });
  await waitForMail(renamed.email, /Confirm your e-mail/);

  const other = await registerFrom(ip);
  const clash = await api('PUT', '/api/user', { token: other.token, body: { user: { username: renamed.username } } });
  t.is(clash.status, 422);
  t.deepEqual(clash.body.errors, { username: ['has already been taken'] });
  const weak = await api('PUT', '/api/user', { token: other.token, body: { user: { password: 'qwertyuiop' } } });
  t.is(weak.status, 422);
  t.truthy(weak.body.errors.password);
});

test('each identity change raises the account\'s version: user.registered carries 1, each rename one more, a password change none', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const first = await accountRow(user.username);
  const [registered] = await outboxEvents('user.registered', first.id);
  t.like(registered!.payload, { userId: first.id, username: user.username, version: 1 });
  const second = newUser('v2');
  const third = newUser('v3');
  for (const next of [second, third]) {
    const res = await api('PUT', '/api/user', { token: user.token, body: { user: { username: next.username } } });
    t.is(res.status, 200);
  }
  const fresh = newUser('pw');
  const pw = await api('PUT', '/api/user', { token: user.token, body: { user: { password: fresh.password, currentPassword: user.password } } });
  t.is(pw.status, 200);
  const updates = (await outboxEvents('user.updated', first.id)).map((e) => e.payload as { username: string; version: number });
  t.deepEqual(
    updates.map((u) => [u.username, u.version]),
    [
      [second.username, 2],
      [third.username, 3],
    ],
  );
  t.deepEqual(await query('auth', 'select version from account where id = $1', [first.id]), [{ version: 3 }]);
});

test('changing the password signs out the other sessions, keeps this one, and tells the owner', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const second = await loginFrom(ip, user.email, user.password);
  const newPassword = `${user.password} renewed`;
  const res = await api('PUT', '/api/user', { token: user.token, body: { user: { password: newPassword, currentPassword: user.password } } });
  t.is(res.status, 200);
  const row = await accountRow(user.username);
  const sessions = await sessionRows(row.id);
  const mine = claimsOf(user.token).sid;
  const theirs = claimsOf(second.body.user.token).sid;
  t.is(sessions.find((s) => s.id === mine)!.revoked_at, null);
  t.is(sessions.find((s) => s.id === theirs)!.revoked_reason, 'password_change');
  const [revoked] = await outboxEvents('session.revoked', row.id);
  t.like(revoked!.payload, { userId: row.id, sessionIds: [theirs], reason: 'password_change' });
  t.is((await api('GET', '/api/user', { token: user.token })).status, 200);
  t.is((await api('GET', '/api/user', { token: second.body.user.token })).status, 401);
  t.is((await loginFrom(ip, user.email, user.password)).status, 401);
  t.is((await loginFrom(ip, user.email, newPassword)).status, 200);
  await waitForMail(user.email, /password was changed/);
});
