/**
 * Attacker's notebook: guessing passwords and flooding reset mails through the public API (gateway → daprd →
 * daprd → auth), and turning the throttles against the owner. Budgets are auth's defaults
 * (services/auth/src/config.ts); policy in docs/security.md, "Throttling policy". One attack at a time: each
 * loads argon2 on purpose, and a slow auth (504 from the gateway) must not be mistaken for a throttle.
 */
import test from 'ava';
import { api, newUser } from '../support/stack.js';
import { freshIp, from, loginFrom, registerFrom, tokenFromLink, waitForMail } from '../../services/auth/test/support/auth-system.js';

const PER_ACCOUNT_AND_SOURCE = 5; // LOGIN_FAILURES_PER_ACCOUNT_AND_IP
const FREE_PER_ACCOUNT = 10; // LOGIN_FREE_ATTEMPTS_PER_ACCOUNT, then 1 s, 2 s, … apart; a request waits at most 2 s
const MAX_WAIT_MS = 2000; // LOGIN_MAX_WAIT_MS
const SLOT_TIMES_MS = [0, 1000, 3000, 7000, 15000, 31000]; // LOGIN_FIRST_DELAY_MS 1 s, doubling
const RESET_PER_ACCOUNT_AND_SOURCE = 3; // RESET_REQUESTS_PER_ACCOUNT_AND_IP
const RESET_FREE_PER_ACCOUNT = 3; // RESET_FREE_REQUESTS_PER_ACCOUNT, then 5 min apart and more

const requestReset = (email: string, ip: string) => api('POST', '/api/users/password-reset', { body: { user: { email } }, headers: from(ip) });

/** An owner who registered and logged in once from home, as people do. */
async function ownerAtHome() {
  const home = freshIp();
  const owner = await registerFrom(home);
  const login = await loginFrom(home, owner.email, owner.password);
  if (login.status !== 200) throw new Error(`owner login: ${login.status}`);
  return { ...owner, home };
}

test.serial('I send 50 wrong passwords for one account at once from my address: only the budget of them is ever checked', async (t) => {
  const victim = await registerFrom(freshIp());
  const me = freshIp();
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => loginFrom(me, victim.email, `guess number ${i}`)));
  const statuses = answers.map((a) => a.status);
  // 429 = refused before any check (by auth, or the gateway's own budget); anything else (401, or 504 when the
  // machine is so loaded that the gateway stopped waiting) means auth went on to check my password.
  t.is(statuses.filter((s) => s !== 429).length, PER_ACCOUNT_AND_SOURCE, statuses.join(' '));
  t.false(statuses.includes(200));
  for (const refused of answers.filter((a) => a.status === 429)) t.true(Number(refused.headers.get('retry-after')) > 0);
});

test.serial('I send 50 wrong passwords for one account at once from 50 addresses: the account is slowed down, not opened up', async (t) => {
  const victim = await registerFrom(freshIp());
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => loginFrom(freshIp(), victim.email, `guess number ${i}`)));
  const burstMs = Date.now() - started;
  const statuses = answers.map((a) => a.status);
  t.false(statuses.includes(200));
  const checked = statuses.filter((s) => s !== 429).length; // 401 (or 504 on a very loaded machine)
  // The free attempts, then the slots a request can still wait for (up to 2 s): at 0 s and 1 s when the burst
  // arrives at once; a burst that a loaded machine spreads out reaches the slots at 3 s, 7 s, … too. If a Redis
  // command times out, auth's in-memory fallback spaces attempts on the same schedule with no free ones, so at most
  // twice those slots: never a second set of free attempts.
  const reachableSlots = SLOT_TIMES_MS.filter((at) => at <= burstMs + MAX_WAIT_MS).length;
  const detail = `${checked} passwords checked in a ${burstMs} ms burst (${reachableSlots} slots reachable): ${statuses.join(' ')}`;
  t.true(checked >= FREE_PER_ACCOUNT && checked <= FREE_PER_ACCOUNT + 2 * reachableSlots, detail);
  t.log(detail);
  const refused = answers.filter((a) => a.status === 429);
  t.is(refused.length, 50 - checked);
  for (const r of refused) {
    t.is(r.body.code, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
    t.true(Number(r.headers.get('retry-after')) >= 1 && Number(r.headers.get('retry-after')) <= 60, `Retry-After ${r.headers.get('retry-after')}`);
  }
});

test.serial('I register a second account with the victim’s address and log into it between guesses: the victim’s counter does not reset', async (t) => {
  const victim = await registerFrom(freshIp());
  const me = freshIp();
  const mine = newUser('claim');
  await registerFrom(me, { ...mine, email: victim.email }); // a claim: same address, my password
  for (let i = 0; i < PER_ACCOUNT_AND_SOURCE - 1; i++) t.is((await loginFrom(me, victim.email, `guess ${i}`)).status, 401);
  const intoMine = await loginFrom(me, victim.email, mine.password);
  t.is(intoMine.status, 200);
  t.is(intoMine.body.user.username, mine.username, 'my own account, through the victim’s address');
  t.is((await loginFrom(me, victim.email, 'last guess')).status, 401, 'my login gave back only its own attempt');
  const next = await loginFrom(me, victim.email, 'one more guess');
  t.is(next.status, 429, 'the guesses before my login still count');
  t.is(next.body.code, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
});

test.serial('I hammer the victim’s account from everywhere: the owner still logs in from home with the right password, at once', async (t) => {
  const owner = await ownerAtHome();
  const me = freshIp();
  for (let i = 0; i < 8; i++) await loginFrom(me, owner.email, `guess ${i}`);
  await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom(freshIp(), owner.email, `botnet guess ${i}`)));
  t.is((await loginFrom(me, owner.email, owner.password)).status, 429, 'I am locked out, even with the right password');
  const started = Date.now();
  const ownerLogin = await loginFrom(owner.home, owner.email, owner.password);
  t.is(ownerLogin.status, 200, JSON.stringify(ownerLogin.body));
  t.is(ownerLogin.body.user.username, owner.username);
  t.true(Date.now() - started < 1500, `no slowdown for the owner at home (${Date.now() - started} ms)`);
});

test.serial('I flood the victim with reset requests: the owner still gets a working link, and links mailed earlier keep working', async (t) => {
  const owner = await ownerAtHome();
  const me = freshIp();
  for (let i = 0; i < RESET_PER_ACCOUNT_AND_SOURCE; i++) t.is((await requestReset(owner.email, me)).status, 202);
  t.is((await requestReset(owner.email, me)).status, 429, 'my address has used its budget for this account');
  const fromElsewhere = await Promise.all(Array.from({ length: 10 }, () => requestReset(owner.email, freshIp())));
  const accepted = fromElsewhere.filter((r) => r.status === 202).length;
  // My three were the account's free requests; from new addresses, one more now, the next only minutes later.
  t.is(RESET_PER_ACCOUNT_AND_SOURCE + accepted, RESET_FREE_PER_ACCOUNT + 1);
  for (const r of fromElsewhere.filter((x) => x.status === 429)) t.true(Number(r.headers.get('retry-after')) > 60, `Retry-After ${r.headers.get('retry-after')}`);

  // The owner, from home: accepted, mailed, and links work although I asked for links before and after.
  t.is((await requestReset(owner.email, owner.home)).status, 202);
  const mailsSoFar = RESET_PER_ACCOUNT_AND_SOURCE + accepted + 1;
  const ownLink = tokenFromLink(await waitForMail(owner.email, /Reset your password/, mailsSoFar), 'reset-password');
  t.is((await requestReset(owner.email, me)).status, 429, 'I still cannot ask for more');
  const firstLink = tokenFromLink(await waitForMail(owner.email, /Reset your password/, 1), 'reset-password');
  t.not(firstLink, ownLink);
  const newPassword = 'a brand new passphrase for me';
  t.is((await api('POST', '/api/users/password-reset/confirm', { body: { token: firstLink, password: newPassword }, headers: from(owner.home) })).status, 204);
  t.is((await api('POST', '/api/users/password-reset/confirm', { body: { token: ownLink, password: 'another passphrase' }, headers: from(owner.home) })).status, 422, 'one use retires them all');
  t.is((await loginFrom(owner.home, owner.email, newPassword)).status, 200);
});

test.serial('I cannot pick my throttling address: entries I put in front of X-Forwarded-For are not the one auth counts', async (t) => {
  const victim = await registerFrom(freshIp());
  const me = freshIp();
  for (let i = 0; i < PER_ACCOUNT_AND_SOURCE; i++) t.is((await loginFrom(me, victim.email, `guess ${i}`)).status, 401);
  // The gateway takes the right-most address its trusted proxy did not add (here: mine) and sends auth only that.
  const spoofed = await api('POST', '/api/users/login', { body: { user: { email: victim.email, password: 'guess' } }, headers: { 'x-forwarded-for': `${freshIp()}, ${me}` } });
  t.is(spoofed.status, 429);
  t.is(spoofed.body.code, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
});
