import test from 'ava';
import { query } from '../support/db.js';
import { api, eventually, newUser, stack } from '../support/stack.js';

const login = (email: string, password: string, i: number) =>
  api('POST', '/api/users/login', { body: { user: { email, password } }, headers: { 'x-forwarded-for': `198.18.200.${i + 1}` } });

const control = async (action: string, app: string) => {
  const res = await fetch(`${stack().controlUrl}/apps/${app}/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`control answered ${res.status}: ${await res.text()}`);
};

test('registration still answers 201 while the user service is down, and the outbox event creates the profile later', async (t) => {
  const user = newUser('down');
  await control('stop', 'user');
  let userId: string;
  try {
    const res = await api('POST', '/api/users', { body: { user } });
    t.is(res.status, 201);
    t.is(res.body.user.username, user.username);
    userId = JSON.parse(Buffer.from(res.body.user.token.split('.')[1], 'base64url').toString()).sub as string;
    t.is((await query('user', 'select id from profile where id = $1', [userId])).length, 0, 'no profile yet');
  } finally {
    await control('start', 'user');
  }
  await eventually(async () => (await query('user', 'select id from profile where id = $1', [userId])).length === 1, 30_000, 200);
  const profile = await eventually(async () => {
    const r = await api('GET', `/api/profiles/${user.username}`);
    return r.status === 200 ? r : undefined;
  });
  t.is(profile.body.profile.username, user.username);
});

// Disruptive while it fails: today daprd's circuit breaker for auth (components/resiliency.yaml) counts 401s as
// failures and opens after 10 in a row, refusing every caller for 10 s.
test('ten failed logins in a row do not take auth down for everyone', async (t) => {
  const user = newUser('cb');
  t.is((await api('POST', '/api/users', { body: { user } })).status, 201);
  for (let i = 0; i < 12; i++) await login(`nobody-${i}-${Date.now()}@example.test`, 'wrong password', i);
  const res = await login(user.email, user.password, 99);
  t.is(res.status, 200, `a correct login answered ${res.status} ${JSON.stringify(res.body)}`);
});
