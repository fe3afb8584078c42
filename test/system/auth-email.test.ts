import test from 'ava';
import { query } from '../support/db.js';
import { api, eventually, newUser, publicBaseUrl } from '../support/stack.js';
import { accountRow, freshIp, from, loginFrom, mailsTo, outboxEvents, registerFrom, sessionRows, tokenFromLink, waitForMail } from '../../services/auth/test/support/auth-system.js';

const confirmVerification = (token: string) => api('POST', '/api/users/verification/confirm', { body: { token }, headers: from(freshIp()) });
/** A reset request that must be accepted (a refusal would leave a later wait for its mail unexplained). */
const requestReset = async (email: string, ip = freshIp()) => {
  const res = await api('POST', '/api/users/password-reset', { body: { user: { email } }, headers: from(ip) });
  if (res.status !== 202) throw new Error(`reset request for ${email} from ${ip} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
};
const confirmReset = (token: string, password: string, ip = freshIp()) =>
  api('POST', '/api/users/password-reset/confirm', { body: { token, password }, headers: from(ip) });

test('registration mails a verification link; following it verifies the address once and publishes user.verified', async (t) => {
  const user = await registerFrom(freshIp());
  const mail = await waitForMail(user.email, /Confirm your e-mail/);
  t.true(mail.text.includes(`${publicBaseUrl()}/verify-email?token=`), 'the link points at PUBLIC_BASE_URL');
  const token = tokenFromLink(mail, 'verify-email');
  t.true(Buffer.from(token, 'base64url').length >= 16, 'at least 128 bits');
  const row = await accountRow(user.username);
  const stored = await query<{ token_hash: string }>('auth', `select token_hash from one_time_token where account_id = $1`, [row.id]);
  t.false(stored.some((s) => s.token_hash === token), 'only a hash is stored');

  const first = await confirmVerification(token);
  t.is(first.status, 204);
  t.truthy((await accountRow(user.username)).email_verified_at);
  t.is((await outboxEvents('user.verified', row.id)).length, 1);
  const again = await confirmVerification(token);
  t.is(again.status, 422);
  t.deepEqual(again.body.errors, { token: ['is invalid, already used or expired'] });
  // The relay marks a mail sent (and drops its body) just after the SMTP server took it, so allow it a moment.
  const mails = () => query<{ body: string | null; sent_at: Date | null }>('auth', `select body, sent_at from mail_outbox where to_address = $1`, [user.email]);
  const done = (rows: { body: string | null; sent_at: Date | null }[]) => rows.every((m) => m.sent_at !== null && m.body === null);
  const sent = await eventually(async () => {
    const rows = await mails();
    return done(rows) ? rows : undefined;
  }, 10_000).catch(() => mails());
  t.true(done(sent), 'sent mails do not keep their links');
});

test('resending verification mails a new link and retires the old one', async (t) => {
  const user = await registerFrom(freshIp());
  const old = tokenFromLink(await waitForMail(user.email, /Confirm your e-mail/), 'verify-email');
  t.is((await api('POST', '/api/users/verification', { token: user.token })).status, 202);
  const fresh = tokenFromLink(await waitForMail(user.email, /Confirm your e-mail/, 2), 'verify-email');
  t.not(fresh, old);
  t.is((await confirmVerification(old)).status, 422);
  t.is((await confirmVerification(fresh)).status, 204);
  t.is((await api('POST', '/api/users/verification', { token: user.token })).status, 202, 'verified: accepted, nothing sent');
  t.is((await api('POST', '/api/users/verification')).status, 401);
});

test('password reset: the request is always 202, the mailed link sets a new password, ends every session and notifies', async (t) => {
  const ip = freshIp();
  const user = await registerFrom(ip);
  const laptop = await loginFrom(ip, user.email, user.password);
  const unknown = await requestReset(`nobody-${user.email}`);
  const known = await requestReset(user.email.toUpperCase());
  t.is(unknown.status, 202);
  t.is(known.status, 202);
  t.deepEqual(known.body, unknown.body);
  const mail = await waitForMail(user.email, /Reset your password/);
  const row = await accountRow(user.username);
  t.like((await outboxEvents('user.password_reset_requested', row.id))[0]!.payload, { userId: row.id, email: user.email });

  const newPassword = `${user.password} after reset`;
  const res = await confirmReset(tokenFromLink(mail, 'reset-password'), newPassword);
  t.is(res.status, 204);
  const sessions = await sessionRows(row.id);
  t.true(sessions.length === 2 && sessions.every((s) => s.revoked_reason === 'password_reset'));
  t.like((await outboxEvents('session.revoked', row.id))[0]!.payload, { reason: 'password_reset' });
  for (const token of [user.token, laptop.body.user.token]) t.is((await api('GET', '/api/user', { token })).status, 401);
  t.is((await loginFrom(ip, user.email, user.password)).status, 401);
  t.is((await loginFrom(ip, user.email, newPassword)).status, 200);
  t.truthy((await accountRow(user.username)).email_verified_at, 'following the link proved the address');
  await waitForMail(user.email, /password was changed/);
  t.is((await mailsTo(`nobody-${user.email}`)).length, 0);
});

test('two concurrent redemptions of one reset token: exactly one succeeds', async (t) => {
  const user = await registerFrom(freshIp());
  await requestReset(user.email);
  const token = tokenFromLink(await waitForMail(user.email, /Reset your password/), 'reset-password');
  const results = await Promise.all([confirmReset(token, `${user.password} one`), confirmReset(token, `${user.password} two`)]);
  t.deepEqual(results.map((r) => r.status).sort(), [204, 422]);
  const winner = results[0]!.status === 204 ? 'one' : 'two';
  t.is((await loginFrom(freshIp(), user.email, `${user.password} ${winner}`)).status, 200);
});

test('a reset token is refused when expired, once any link was used, or with a weak password (which keeps it usable)', async (t) => {
  const user = await registerFrom(freshIp());
  await requestReset(user.email);
  const first = tokenFromLink(await waitForMail(user.email, /Reset your password/), 'reset-password');
  await requestReset(user.email);
  const second = tokenFromLink(await waitForMail(user.email, /Reset your password/, 2), 'reset-password');

  const weak = await confirmReset(second, 'iloveyou');
  t.is(weak.status, 422);
  t.truthy(weak.body.errors.password);
  // A newer request does not spoil an earlier link (anyone may ask for one: docs/security.md, "Throttling policy").
  t.is((await confirmReset(first, `${user.password} x`)).status, 204, 'the earlier link still works');
  const retired = await confirmReset(second, `${user.password} y`);
  t.is(retired.status, 422, 'using one link retires the others');
  t.truthy(retired.body.errors.token);

  await requestReset(user.email);
  const third = tokenFromLink(await waitForMail(user.email, /Reset your password/, 3), 'reset-password');
  const row = await accountRow(user.username);
  await query('auth', `update one_time_token set expires_at = now() - interval '1 second' where account_id = $1 and used_at is null`, [row.id]);
  const expired = await confirmReset(third, `${user.password} z`);
  t.is(expired.status, 422);
  t.truthy(expired.body.errors.token);
  t.is((await loginFrom(freshIp(), user.email, `${user.password} x`)).status, 200, 'the password set with the first link');
});

test('reset and verification bodies are validated with field errors', async (t) => {
  const bad = await api('POST', '/api/users/password-reset', { body: { user: { email: 'nope' } }, headers: from(freshIp()) });
  t.is(bad.status, 422);
  t.truthy(bad.body.errors.email);
  const blank = await api('POST', '/api/users/verification/confirm', { body: {}, headers: from(freshIp()) });
  t.is(blank.status, 422);
  t.truthy(blank.body.errors.token);
  void newUser;
});
