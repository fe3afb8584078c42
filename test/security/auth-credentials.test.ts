/**
 * Attacker's notebook: taking an account over with a stolen access token, learning who has an account from
 * e-mail changes, and choosing guessable passwords. Design in docs/security.md, "Credentials".
 */
import test from 'ava';
import { api, newUser, stack } from '../support/stack.js';
import { query } from '../support/db.js';
import { accountRow, claimsOf, freshIp, from, loginFrom, mailsTo, registerFrom, tokenFromLink, viaGatewaySidecar, waitForMail } from '../../services/auth/test/support/auth-system.js';

const put = (token: string, user: Record<string, unknown>, ip = freshIp()) => api('PUT', '/api/user', { token, body: { user }, headers: from(ip) });

test.serial('with a stolen access token I cannot change the e-mail address or the password without the current password', async (t) => {
  const victim = await registerFrom(freshIp());
  const before = await accountRow(victim.username);

  const noPassword = await put(victim.token, { email: newUser('mine').email });
  t.is(noPassword.status, 422);
  t.deepEqual(Object.keys(noPassword.body.errors), ['currentPassword']);
  t.regex(noPassword.body.errors.currentPassword[0], /can't be blank/);
  const guessed = await put(victim.token, { password: 'my own passphrase now', currentPassword: 'a guess' });
  t.is(guessed.status, 422);
  t.deepEqual(guessed.body.errors, { currentPassword: ['is wrong'] });
  const after = await accountRow(victim.username);
  t.is(after.email, before.email);
  t.is(after.password_hash, before.password_hash);

  // Profile fields still change without it, as RealWorld clients expect.
  const renamed = newUser('renamed').username;
  const plain = await put(victim.token, { username: renamed, bio: 'still me' });
  t.is(plain.status, 200);
  t.like(plain.body.user, { username: renamed, bio: 'still me' });
  // The owner, who knows it, can.
  const owner = await put(victim.token, { password: 'a new passphrase of mine', currentPassword: victim.password });
  t.is(owner.status, 200);
  t.is((await loginFrom(freshIp(), victim.email, 'a new passphrase of mine')).status, 200);
});

test.serial('guessing the current password through PUT /api/user is throttled like a login', async (t) => {
  const victim = await registerFrom(freshIp());
  const me = freshIp();
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push((await put(victim.token, { password: 'my own passphrase now', currentPassword: `guess ${i}` }, me)).status);
  t.deepEqual(answers, [422, 422, 422, 422, 422, 429]);
});

test.serial('when I change an account’s address, the old address is told, and the new one must be verified', async (t) => {
  const user = await registerFrom(freshIp());
  const next = newUser('moved').email;
  const res = await put(user.token, { email: next, currentPassword: user.password });
  t.is(res.status, 200);
  t.is(res.body.user.email, next);
  const notice = await waitForMail(user.email, /e-mail address was changed/);
  t.true(notice.text.includes(next), 'the notice names the new address');
  await waitForMail(next, /Confirm your e-mail/);
  t.is((await accountRow(user.username)).email, next);
});

test.serial('changing my address to someone else’s is answered like any change: it does not tell me the address is taken', async (t) => {
  const owner = await registerFrom(freshIp());
  const [probe, control] = [await registerFrom(freshIp()), await registerFrom(freshIp())];
  const fresh = newUser('free').email;
  const toTaken = await put(probe.token, { email: owner.email.toUpperCase(), currentPassword: probe.password });
  const toFree = await put(control.token, { email: fresh, currentPassword: control.password });
  t.is(toTaken.status, 200);
  t.is(toFree.status, toTaken.status);
  t.deepEqual(Object.keys(toTaken.body.user).sort(), Object.keys(toFree.body.user).sort());
  t.is(toTaken.body.user.email, owner.email, 'it shows the address I typed');
  t.is((await api('GET', '/api/user', { token: probe.token })).body.user.email, owner.email);

  // Behind the answer: I only claim the address (as at sign-up); its owner is told, and no mail of mine goes there.
  const row = await accountRow(probe.username);
  t.is(row.email, null);
  t.is(row.claimed_email, owner.email);
  t.is((await accountRow(owner.username)).email, owner.email, 'the owner keeps the address');
  const warning = await waitForMail(owner.email, /tried to use your address/);
  t.notRegex(warning.text, new RegExp(probe.username), 'the owner is not told who');
  await waitForMail(probe.email, /e-mail address was changed/);
  t.is((await mailsTo(owner.email)).filter((m) => /Confirm/.test(m.subject)).length, 1, 'only the owner’s own verification mail');
  // A reset for the address reaches the owner only.
  t.is((await api('POST', '/api/users/password-reset', { body: { user: { email: owner.email } }, headers: from(freshIp()) })).status, 202);
  await waitForMail(owner.email, /Reset your password/);
  t.is((await mailsTo(probe.email)).filter((m) => /Reset/.test(m.subject)).length, 0);
});

test.serial('passwords with my username or e-mail name, blank ones or one repeated character are refused, saying exactly why', async (t) => {
  const ip = freshIp();
  const user = newUser('policy');
  const register = (password: unknown) => api('POST', '/api/users', { body: { user: { ...user, password } }, headers: from(ip) });
  const cases: [unknown, string][] = [
    [`${user.username.toUpperCase()} and more words`, "can't contain your username"],
    [`hello ${user.email.split('@')[0]}! and more`, "can't contain your username"], // the local part is the username here
    ['            ', "can't be only whitespace"],
    ['aaaaaaaaaaaaaaaa', "can't be one character repeated"],
    [12345678, 'must be a string'],
    ['x'.repeat(1025) + 'y', 'is too long (maximum is 1024 characters)'],
  ];
  for (const [password, message] of cases) {
    const res = await register(password);
    t.is(res.status, 422, String(password).slice(0, 20));
    t.deepEqual(res.body.errors?.password, [message], String(password).slice(0, 20));
  }
  const other = { ...newUser('policy'), email: `jake.peralta.${Date.now()}@example.test` };
  const byEmail = await api('POST', '/api/users', { body: { user: { ...other, password: `I am ${other.email.split('@')[0]}` } }, headers: from(ip) });
  t.deepEqual(byEmail.body.errors, { password: ["can't contain your e-mail address (the part before the @)"] });
  t.is((await query('auth', 'select 1 from account where username = any($1)', [[user.username, other.username]])).length, 0);
});

test.serial('the password policy holds on password change and reset too; a refused reset password leaves the link usable', async (t) => {
  const user = await registerFrom(freshIp());
  const change = await put(user.token, { password: `new ${user.username} pass`, currentPassword: user.password });
  t.deepEqual(change.body.errors, { password: ["can't contain your username"] });
  // Auth's own answer, as the gateway forwards the call (the gateway's schema answers first through the public API).
  const { sub, sid } = claimsOf(user.token);
  const numeric = await viaGatewaySidecar('PUT', 'api/user', {
    body: { user: { password: 12345678, currentPassword: user.password } },
    headers: { 'x-auth-user-id': sub, 'x-auth-username': user.username, 'x-auth-role': 'user', 'x-auth-session-id': sid, 'x-forwarded-for': freshIp() },
  });
  t.is(numeric.status, 422);
  t.deepEqual(numeric.body.errors, { password: ['must be a string'] });

  t.is((await api('POST', '/api/users/password-reset', { body: { user: { email: user.email } }, headers: from(freshIp()) })).status, 202);
  const token = tokenFromLink(await waitForMail(user.email, /Reset your password/), 'reset-password');
  const confirm = (password: unknown) => api('POST', '/api/users/password-reset/confirm', { body: { token, password }, headers: from(freshIp()) });
  t.deepEqual((await confirm(`${user.username}123`)).body.errors, { password: ["can't contain your username"] });
  t.deepEqual((await confirm(42)).body.errors, { password: ['must be a string'] });
  t.deepEqual((await confirm('\t\t\t\t\t\t\t\t\t')).body.errors, { password: ["can't be only whitespace"] });
  t.is((await confirm('a perfectly good passphrase')).status, 204, 'the link still works');
  t.is((await loginFrom(freshIp(), user.email, 'a perfectly good passphrase')).status, 200);
});


test.serial('mails sent at once each reach their own address: nobody receives another user’s verification or reset link', async (t) => {
  // Dapr's SMTP binding shares one metadata between concurrent sends, which swapped recipients and subjects (ADR 8);
  // auth's mail relay sends one mail at a time. Twelve sign-ups and six resets at once, different subjects and
  // recipients in the same relay batches.
  const users = await Promise.all(Array.from({ length: 12 }, (_, i) => registerFrom(freshIp(), newUser(`m${i}`))));
  const resets = await Promise.all(users.slice(0, 6).map((u) => api('POST', '/api/users/password-reset', { body: { user: { email: u.email } }, headers: from(freshIp()) })));
  t.deepEqual(resets.map((r) => r.status), Array(6).fill(202));
  for (const [i, u] of users.entries()) {
    const confirm = await waitForMail(u.email, /Confirm your e-mail address/);
    t.true(confirm.text.startsWith(`Hello ${u.username},`), `${u.email} got: ${confirm.text.slice(0, 60)}`);
    if (i < 6) await waitForMail(u.email, /Reset your password/);
  }
  for (const [i, u] of users.entries()) {
    const subjects = (await mailsTo(u.email)).map((m) => m.subject).sort();
    t.deepEqual(subjects, i < 6 ? ['Confirm your e-mail address', 'Reset your password'] : ['Confirm your e-mail address'], u.email);
  }
});

test.serial('auth’s sidecar sends concurrent mails each to its own recipient with its own subject (the patched SMTP binding)', async (t) => {
  // Straight to the binding through auth’s daprd, 120 at once: the unpatched binding merged every request into one
  // shared metadata, and mails left with each other's recipient or subject (ADR 8).
  const sidecar = stack().apps.auth!;
  const tag = `${process.pid}${Date.now().toString(36)}`;
  const mails = Array.from({ length: 120 }, (_, i) => ({ to: `bind${i}x${tag}@example.test`, subject: `binding check ${i} ${tag}` }));
  const answers = await Promise.all(
    mails.map((m) =>
      fetch(`http://127.0.0.1:${sidecar.daprHttpPort}/v1.0/bindings/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dapr-api-token': sidecar.daprApiToken },
        body: JSON.stringify({ operation: 'create', data: `for ${m.to}`, metadata: { emailTo: m.to, subject: m.subject } }),
      }).then((r) => r.status),
    ),
  );
  t.true(answers.every((s) => s < 300), JSON.stringify(answers));
  for (const m of mails) {
    const got = await waitForMail(m.to, /binding check/);
    t.is(got.subject, m.subject, m.to);
    t.is((await mailsTo(m.to)).length, 1, `${m.to}: exactly one mail`);
  }
});
