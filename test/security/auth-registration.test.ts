/**
 * Attacker's notebook: mass registration. The gateway has a per-address budget; auth keeps its own
 * (REGISTRATIONS_PER_IP_PER_HOUR), so a path around the gateway's counter is no way around auth's. The test
 * stack raises auth's budget (scripts/test.ts) because the suite registers many users; I spend it from an
 * address of my own.
 */
import test from 'ava';
import { api, newUser } from '../support/stack.js';
import { freshIp, from, registerFrom } from '../../services/auth/test/support/auth-system.js';

const BUDGET = Number(process.env.REGISTRATIONS_PER_IP_PER_HOUR ?? 20);

test.serial('every registration attempt from my address counts in auth, even refused ones; then 429, and other addresses still register', async (t) => {
  const me = freshIp();
  const taken = await registerFrom(me); // 1
  // Cheap attempts (the username is taken: refused before any hashing) spend the rest of the budget.
  for (let sent = 1; sent < BUDGET; sent += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, BUDGET - sent) }, () => api('POST', '/api/users', { body: { user: { ...newUser('spam'), username: taken.username } }, headers: from(me) })),
    );
    if (batch.some((r) => r.status !== 422)) return t.fail(`attempt answered ${batch.find((r) => r.status !== 422)!.status}`);
  }
  const refused = await api('POST', '/api/users', { body: { user: newUser('spam') }, headers: from(me) });
  t.is(refused.status, 429);
  t.is(refused.body.code, 'AUTH.TOO_MANY_REGISTRATIONS');
  t.true(Number(refused.headers.get('retry-after')) > 0);
  t.is((await api('POST', '/api/users', { body: { user: newUser('fine') }, headers: from(freshIp()) })).status, 201);
});
