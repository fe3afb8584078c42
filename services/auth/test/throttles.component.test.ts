import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { admitAttempt, type SlowdownPolicy, type SlowdownState } from '../src/domain/slowdown.js';
import { SlowdownGate } from '../src/throttle/slowdown-gate.js';
import { Throttles, type ThrottlePolicy } from '../src/throttle/throttles.js';
import { componentRedis } from '../../../test/support/component.js';

// The throttles against a real Redis (the stack's under npm test, as the apps' Redis user; keys under a prefix of
// their own), with small budgets.

let redis: Redis;
test.before(async () => {
  redis = await componentRedis('redis-url');
});
test.after.always(() => redis?.disconnect());

const slow: SlowdownPolicy = { freeAttempts: 3, firstDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 0, windowSeconds: 60 };
const policy = (over: Partial<ThrottlePolicy['passwordChecks']> = {}): ThrottlePolicy => ({
  passwordChecks: { perAccountAndSource: { points: 5, durationSeconds: 60 }, perSource: { points: 100, durationSeconds: 60 }, perAccount: { ...slow, freeAttempts: 100 }, ...over },
  resetRequests: { perAccountAndSource: { points: 3, durationSeconds: 60 }, perSource: { points: 30, durationSeconds: 60 }, perAccount: slow },
  registrationsPerSource: { points: 2, durationSeconds: 60 },
  verificationMailsPerAccount: { points: 5, durationSeconds: 60 },
  knownSourceDays: 1,
});
// Under auth's own key prefix: the apps' Redis user may touch vcd:auth:* and gw:rl:* only.
const prefix = () => `vcd:auth:test:${randomUUID()}`;
const status = async (p: Promise<unknown>) => p.then(() => 'allowed', (err: { status?: number }) => (err.status === 429 ? '429' : `error ${String(err)}`));

test('50 parallel password checks for one address from one source: exactly the budget is allowed, the rest refused before any check', async (t) => {
  const throttles = new Throttles(redis, policy(), prefix());
  const results = await Promise.all(Array.from({ length: 50 }, () => status(throttles.beginPasswordCheck('victim@example.test', '198.51.100.1'))));
  t.is(results.filter((r) => r === 'allowed').length, 5);
  t.is(results.filter((r) => r === '429').length, 45);
});

test('a claimant’s success gives back only its own attempt; only the owner’s success clears the failures of its source', async (t) => {
  const throttles = new Throttles(redis, policy(), prefix());
  const attacker = '198.51.100.2';
  for (let i = 0; i < 4; i++) await throttles.beginPasswordCheck('victim@example.test', attacker); // four wrong guesses
  // The attacker's second account claims the same address and logs in with its own password, again and again.
  for (let i = 0; i < 3; i++) await (await throttles.beginPasswordCheck('victim@example.test', attacker)).succeeded(false);
  await throttles.beginPasswordCheck('victim@example.test', attacker); // the fifth guess
  t.is(await status(throttles.beginPasswordCheck('victim@example.test', attacker)), '429', 'the sixth is refused: the claimant cleared nothing');

  const owner = '198.51.100.3';
  for (let i = 0; i < 4; i++) await throttles.beginPasswordCheck('victim@example.test', owner); // the owner's typos
  await (await throttles.beginPasswordCheck('victim@example.test', owner)).succeeded(true);
  for (let i = 0; i < 5; i++) t.is(await status(throttles.beginPasswordCheck('victim@example.test', owner)), 'allowed', `owner attempt ${i + 1} after success`);
});

test('the address-wide slowdown holds parallel attempts from many sources to their slots, and spares a source where the owner logged in', async (t) => {
  const throttles = new Throttles(redis, policy({ perAccount: { freeAttempts: 3, firstDelayMs: 60_000, maxDelayMs: 60_000, maxWaitMs: 0, windowSeconds: 60 } }), prefix());
  await (await throttles.beginPasswordCheck('owner@example.test', '198.51.100.4')).succeeded(true); // the owner, at home
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => status(throttles.beginPasswordCheck('owner@example.test', `203.0.113.${i + 1}`))));
  t.is(results.filter((r) => r === 'allowed').length, 4, 'three free attempts and one slot');
  t.is(await status(throttles.beginPasswordCheck('owner@example.test', '198.51.100.4')), 'allowed', 'the owner’s address is not slowed down');
  t.is(await status(throttles.beginPasswordCheck('owner@example.test', '198.51.100.5')), '429', 'a new address is');
});

test('the Redis script takes the same decisions as the reference rule in domain/slowdown.ts', async (t) => {
  const key = prefix();
  const p: SlowdownPolicy = { freeAttempts: 2, firstDelayMs: 300, maxDelayMs: 1000, maxWaitMs: 250, windowSeconds: 60 };
  const gate = new SlowdownGate(redis, () => key, p);
  let state: SlowdownState | undefined;
  const seen: string[] = [];
  for (let i = 0; i < 9; i++) {
    const start = Date.now();
    const actual = await gate.admit('x');
    const expected = admitAttempt(state, start, p);
    if (expected.admitted) state = expected.state;
    t.is(actual.admitted, expected.admitted, `attempt ${i + 1}`);
    seen.push(actual.admitted ? 'admitted' : 'refused');
    const ms = (d: typeof actual) => (d.admitted ? d.waitMs : d.retryAfterMs);
    t.true(Math.abs(ms(actual) - ms(expected)) <= 30, `attempt ${i + 1}: ${ms(actual)} vs ${ms(expected)}`);
    // Wait for the slot, or come back a little after the time the refusal named.
    await new Promise((r) => setTimeout(r, actual.admitted ? actual.waitMs : actual.retryAfterMs + 10));
  }
  t.true(seen.includes('refused') && seen.filter((s) => s === 'admitted').length > 3, seen.join(', '));
});

test('while Redis cannot be reached, the slowdown gives no free attempts: every attempt is spaced from the first', async (t) => {
  const unreachable = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    const gate = new SlowdownGate(unreachable, () => prefix(), slow); // three free attempts while Redis answers
    const first = await gate.admit('x');
    t.deepEqual(first, { admitted: true, waitMs: 0 });
    const second = await gate.admit('x');
    t.false(second.admitted, 'no free attempt beyond the first while Redis is down');
    t.true(!second.admitted && second.retryAfterMs > 900 && second.retryAfterMs <= 1000, JSON.stringify(second));
    t.true((await gate.admit('y')).admitted, 'another account has its own slot');
  } finally {
    unreachable.disconnect();
  }
});

test('registrations are counted per source', async (t) => {
  const throttles = new Throttles(redis, policy(), prefix());
  t.is(await status(throttles.consumeRegistration('198.51.100.6')), 'allowed');
  t.is(await status(throttles.consumeRegistration('198.51.100.6')), 'allowed');
  t.is(await status(throttles.consumeRegistration('198.51.100.6')), '429');
  t.is(await status(throttles.consumeRegistration('198.51.100.7')), 'allowed');
});
