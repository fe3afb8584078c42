import test from 'ava';
import { invokeAs, query } from '../../services/user/test/support/user-stack.js';
import { api, eventually, register } from '../support/stack.js';

test('PUT /api/user changes bio and image (user service) and the RealWorld user object shows them', async (t) => {
  const user = await register();
  const put = await api('PUT', '/api/user', { token: user.token, body: { user: { bio: 'I like to skateboard', image: 'https://i.stack.imgur.com/xHWG8.jpg' } } });
  t.is(put.status, 200);
  t.like(put.body.user, { username: user.username, email: user.email, bio: 'I like to skateboard', image: 'https://i.stack.imgur.com/xHWG8.jpg' });
  t.truthy(put.body.user.token);
  const me = await api('GET', '/api/user', { token: user.token });
  t.like(me.body.user, { bio: 'I like to skateboard', image: 'https://i.stack.imgur.com/xHWG8.jpg' });
  const profile = await api('GET', `/api/profiles/${user.username}`);
  t.like(profile.body.profile, { username: user.username, bio: 'I like to skateboard' });
  const login = await api('POST', '/api/users/login', { body: { user: { email: user.email, password: user.password } } });
  t.like(login.body.user, { bio: 'I like to skateboard' });
});

test('PUT /api/user with an unknown field is refused naming the field, and changes nothing', async (t) => {
  const user = await register();
  const res = await api('PUT', '/api/user', { token: user.token, body: { user: { bio: 'new', role: 'admin' } } });
  t.is(res.status, 422);
  t.truthy(res.body.errors);
  const me = await api('GET', '/api/user', { token: user.token });
  t.is(me.body.user.bio, null);
});

test('PUT /api/user without a token is 401', async (t) => {
  t.is((await api('PUT', '/api/user', { body: { user: { bio: 'x' } } })).status, 401);
});

test('a profile edit made elsewhere reaches GET /api/user through profile.updated, not the card\'s TTL', async (t) => {
  // The test stack keeps cards 60 s (PROFILE_CARD_CACHE_TTL_MS in scripts/test.ts): within seconds, only the event
  // can have dropped the card the gateway kept at registration.
  const user = await register();
  t.is((await api('GET', '/api/user', { token: user.token })).body.user.bio, null);
  const [account] = await query<{ id: string }>('auth', 'select id from account where username = $1', [user.username]);
  // Another gateway replica's edit, as it reaches the user service: through a gateway sidecar, to its internal API.
  const edit = await invokeAs('gateway', 'user', 'PUT', `internal/profiles/${account!.id}`, { bio: 'edited elsewhere' });
  t.is(edit.status, 200);
  await eventually(async () => (await api('GET', '/api/user', { token: user.token })).body.user.bio === 'edited elsewhere', 10_000, 100);
  const login = await api('POST', '/api/users/login', { body: { user: { email: user.email, password: user.password } } });
  t.is(login.body.user.bio, 'edited elsewhere');
});
