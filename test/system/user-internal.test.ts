import test from 'ava';
import { DEFAULT_AVATAR } from '../support/stack.js';
import { randomUUID } from 'node:crypto';
import { api, eventually, invokeAs, query, registerUser, stack } from '../../services/user/test/support/user-stack.js';

test('POST /internal/profiles creates a profile once, so it is served at once', async (t) => {
  const userId = randomUUID();
  const username = `ip${Date.now().toString(36)}`;
  const created = await invokeAs('auth', 'user', 'POST', 'internal/profiles', { userId, username });
  t.is(created.status, 201);
  t.deepEqual(created.body, { profile: { username, bio: null, image: null, following: false } });
  const again = await invokeAs('auth', 'user', 'POST', 'internal/profiles', { userId, username });
  t.is(again.status, 200);
  t.deepEqual(await query('user', 'select id, username from profile where id = $1', [userId]), [{ id: userId, username }]);
  t.is((await api('GET', `/api/profiles/${username}`)).status, 200);
  const sameName = await invokeAs('auth', 'user', 'POST', 'internal/profiles', { userId: randomUUID(), username });
  t.is(sameName.status, 409);
  t.is(sameName.body.code, 'USER.USERNAME_TAKEN');
  const invalid = await invokeAs('auth', 'user', 'POST', 'internal/profiles', { userId: 'nope' });
  t.is(invalid.status, 422);
  t.deepEqual(Object.keys(invalid.body.errors).sort(), ['userId', 'username']);
});

test('PUT /internal/profiles/:userId changes bio and image and emits profile.updated through the outbox', async (t) => {
  const me = await registerUser('ib');
  const res = await invokeAs('gateway', 'user', 'PUT', `internal/profiles/${me.id}`, { bio: 'I write', image: 'https://example.test/me.png' });
  t.is(res.status, 200);
  t.deepEqual(res.body, { profile: { username: me.username, bio: 'I write', image: 'https://example.test/me.png', following: false } });
  const cleared = await invokeAs('gateway', 'user', 'PUT', `internal/profiles/${me.id}`, { image: '' });
  t.deepEqual(cleared.body.profile, { username: me.username, bio: 'I write', image: null, following: false }, 'absent bio kept, "" clears');
  const events = await eventually(async () => {
    const rows = await query<{ payload: unknown; published_at: Date | null }>(
      'user',
      `select payload, published_at from outbox where topic = 'profile.updated' and payload->>'userId' = $1 order by created_at`,
      [me.id],
    );
    return rows.length === 2 && rows.every((r) => r.published_at) && rows;
  });
  t.deepEqual(events.map((e) => e.payload), [
    { userId: me.id, username: me.username, bio: 'I write', image: 'https://example.test/me.png' },
    { userId: me.id, username: me.username, bio: 'I write', image: null },
  ]);
  t.deepEqual((await api('GET', `/api/profiles/${me.username}`)).body.profile, { username: me.username, bio: 'I write', image: DEFAULT_AVATAR, following: false });
});

test('internal profile routes refuse unknown accounts and invalid fields', async (t) => {
  const missing = randomUUID();
  t.is((await invokeAs('gateway', 'user', 'PUT', `internal/profiles/${missing}`, { bio: 'x' })).status, 404);
  t.deepEqual(await query('user', `select 1 from outbox where payload->>'userId' = $1`, [missing]), []);
  const badId = await invokeAs('gateway', 'user', 'PUT', 'internal/profiles/not-a-uuid', { bio: 'x' });
  t.is(badId.status, 422);
  const me = await registerUser('iv');
  const tooLong = await invokeAs('gateway', 'user', 'PUT', `internal/profiles/${me.id}`, { bio: 'x'.repeat(10_001), image: 5 });
  t.is(tooLong.status, 422);
  t.deepEqual(Object.keys(tooLong.body.errors).sort(), ['bio', 'image']);
});

test('user.updated renames the profile', async (t) => {
  const me = await registerUser('rn');
  const renamed = `${me.username}x`;
  const { publishAs } = await import('../../services/user/test/support/user-stack.js');
  await publishAs('auth', 'user.updated', { userId: me.id, username: renamed, email: 'x@example.test' });
  const res = await eventually(async () => {
    const r = await api('GET', `/api/profiles/${renamed}`);
    return r.status === 200 && r;
  });
  t.is(res.body.profile.username, renamed);
  t.is((await api('GET', `/api/profiles/${me.username}`)).status, 404);
});

test('internal routes are not public: the gateway does not route them, and a call must come from a service', async (t) => {
  t.is((await api('GET', '/internal/stats')).status, 404);
  const user = stack().apps.user!;
  const noCaller = await fetch(`http://127.0.0.1:${user.appPort}/internal/stats`, { headers: { 'dapr-api-token': user.appApiToken } });
  t.is(noCaller.status, 403);
  const openapi = await api('GET', '/api/openapi.json');
  t.false(Object.keys(openapi.body.paths).some((p) => p.startsWith('/internal')));
  for (const path of ['/api/profiles/{username}/followers', '/api/user/preferences', '/api/user/notifications/{id}/read']) {
    t.truthy(openapi.body.paths[path], `${path} is documented`);
  }
});
