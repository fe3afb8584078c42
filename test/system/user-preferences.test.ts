import test from 'ava';
import { api, query, registerUser } from '../../services/user/test/support/user-stack.js';

const DEFAULTS = { notifications: { newPosts: true, comments: true, reactions: true, followers: true }, emailDigest: false, language: 'en' };

test('preferences start as the defaults, without a stored row', async (t) => {
  const me = await registerUser('pd');
  const res = await api('GET', '/api/user/preferences', { token: me.token });
  t.is(res.status, 200);
  t.deepEqual(res.body, { preferences: DEFAULTS });
  t.deepEqual(await query('user', 'select 1 from preference where user_id = $1', [me.id]), []);
});

test('a partial change keeps every other preference and is stored', async (t) => {
  const me = await registerUser('pc');
  const res = await api('PUT', '/api/user/preferences', { token: me.token, body: { preferences: { notifications: { reactions: false }, language: 'de' } } });
  t.is(res.status, 200);
  const expected = { ...DEFAULTS, notifications: { ...DEFAULTS.notifications, reactions: false }, language: 'de' };
  t.deepEqual(res.body, { preferences: expected });
  const again = await api('PUT', '/api/user/preferences', { token: me.token, body: { preferences: { emailDigest: true } } });
  t.deepEqual(again.body.preferences, { ...expected, emailDigest: true });
  t.deepEqual((await api('GET', '/api/user/preferences', { token: me.token })).body.preferences, { ...expected, emailDigest: true });
  t.deepEqual(await query('user', 'select notify_reactions, notify_new_posts, email_digest, language from preference where user_id = $1', [me.id]), [
    { notify_reactions: false, notify_new_posts: true, email_digest: true, language: 'de' },
  ]);
});

test('invalid preferences are refused with the offending fields named, and nothing changes', async (t) => {
  const me = await registerUser('pv');
  const res = await api('PUT', '/api/user/preferences', {
    token: me.token,
    body: { preferences: { language: 'klingon', emailDigest: 'yes', notifications: { newPosts: 1 }, colour: 'blue' } },
  });
  t.is(res.status, 422);
  t.deepEqual(Object.keys(res.body.errors).sort(), ['emailDigest', 'language', 'notifications.newPosts', 'preferences']);
  t.truthy(res.body.errors.language);
  t.truthy(res.body.errors.emailDigest);
  t.truthy(res.body.errors['notifications.newPosts']);
  t.regex(res.body.errors.preferences.join(' '), /colour/, 'the unknown field is named');
  const missing = await api('PUT', '/api/user/preferences', { token: me.token, body: {} });
  t.is(missing.status, 422);
  t.truthy(missing.body.errors.preferences);
  t.deepEqual((await api('GET', '/api/user/preferences', { token: me.token })).body.preferences, DEFAULTS);
});

test('preferences need a login', async (t) => {
  t.is((await api('GET', '/api/user/preferences')).status, 401);
  t.is((await api('PUT', '/api/user/preferences', { body: { preferences: { language: 'de' } } })).status, 401);
});
