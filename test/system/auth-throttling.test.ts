import test from 'ava';
import { Redis } from 'ioredis';
import { api, newUser, stack } from '../support/stack.js';
import { freshIp, from, loginFrom as rawLogin, registerFrom, succeedOnce, viaGatewaySidecar } from '../../services/auth/test/support/auth-system.js';

const loginFrom = async (ip: string, email: string, password: string) => {
  const res = await rawLogin(ip, email, password);
  if (res.status !== 200) await succeedOnce();
  return res;
};

// Budgets are the service defaults (services/auth/src/config.ts); the attacks are in test/security/auth-throttling.test.ts.
const LOGIN_FAILURES_PER_ACCOUNT_AND_IP = 5;
const LOGIN_FAILURES_PER_IP = 100;
const RESET_REQUESTS_PER_IP = 30;

test('failed logins are limited per account and client address: then 429 with Retry-After, even for the right password', async (t) => {
  const user = await registerFrom(freshIp());
  const ip = freshIp();
  for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AND_IP; i++) {
    t.is((await loginFrom(ip, user.email, `wrong password ${i}`)).status, 401, `attempt ${i + 1}`);
  }
  const blocked = await loginFrom(ip, user.email, user.password);
  t.is(blocked.status, 429);
  t.is(blocked.body.code, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
  const retryAfter = Number(blocked.headers.get('retry-after'));
  t.true(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);

  // The counter lives in Redis, where every replica of auth sees it.
  const redis = new Redis(stack().secrets['redis-url']!);
  try {
    t.is(Number(await redis.get(`vcd:auth:login-pair:${ip}|${user.email}`)), LOGIN_FAILURES_PER_ACCOUNT_AND_IP + 1);
  } finally {
    redis.disconnect();
  }
  t.is((await loginFrom(freshIp(), user.email, user.password)).status, 200, 'from another address the owner logs in');
});

test('an address without an account is limited exactly like one with (the 429 reveals nothing)', async (t) => {
  const email = `ghost-${Date.now()}@example.test`;
  const ip = freshIp();
  for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AND_IP; i++) t.is((await loginFrom(ip, email, 'wrong password')).status, 401);
  const blocked = await loginFrom(ip, email, 'wrong password');
  t.is(blocked.status, 429);
  t.is(blocked.body.code, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
});

test('the owner’s successful login clears the failures from that address', async (t) => {
  const user = await registerFrom(freshIp());
  const ip = freshIp();
  for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AND_IP - 1; i++) await loginFrom(ip, user.email, 'wrong password');
  t.is((await loginFrom(ip, user.email, user.password)).status, 200);
  for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AND_IP - 1; i++) t.is((await loginFrom(ip, user.email, 'wrong password')).status, 401);
});

test('failed logins are limited per client address, as the gateway reports it through Dapr', async (t) => {
  const ip = freshIp();
  // Straight through the gateway's sidecar (as the gateway forwards), past the gateway's own stricter per-minute budget.
  const login = async (email: string, password: string, clientIp = ip) => {
    const res = await viaGatewaySidecar('POST', 'api/users/login', { body: { user: { email, password } }, headers: { 'x-forwarded-for': clientIp } });
    if (res.status !== 200) await succeedOnce();
    return res;
  };
  const user = await registerFrom(freshIp());
  for (let i = 0; i < LOGIN_FAILURES_PER_IP; i++) {
    const res = await login(`spray-${i}-${Date.now()}@example.test`, 'Summer2026!');
    if (res.status !== 401) return t.fail(`attempt ${i + 1}: ${res.status}`);
  }
  const blocked = await login(user.email, user.password);
  t.is(blocked.status, 429);
  t.truthy(blocked.headers.get('retry-after'));
  t.is((await login(user.email, user.password, freshIp())).status, 200, 'another address is not affected');
  t.is((await login(user.email, user.password, `${ip}, 127.0.0.1`)).status, 429, 'hops appended behind the gateway’s entry do not matter');
});

test('password-reset requests are limited per client, still answering nothing about accounts', async (t) => {
  const ip = freshIp();
  for (let i = 0; i < RESET_REQUESTS_PER_IP; i++) {
    const res = await viaGatewaySidecar('POST', 'api/users/password-reset', { body: { user: { email: newUser('r').email } }, headers: { 'x-forwarded-for': ip } });
    if (res.status !== 202) return t.fail(`request ${i + 1}: ${res.status}`);
  }
  const byIp = await viaGatewaySidecar('POST', 'api/users/password-reset', { body: { user: { email: newUser('r').email } }, headers: { 'x-forwarded-for': ip } });
  t.is(byIp.status, 429);
  t.is(byIp.body.code, 'AUTH.TOO_MANY_REQUESTS');
  t.is((await api('POST', '/api/users/password-reset', { body: { user: { email: newUser('r').email } }, headers: from(freshIp()) })).status, 202);
});
