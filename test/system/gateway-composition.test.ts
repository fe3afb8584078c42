import test from 'ava';
import { api, register } from '../support/stack.js';

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
