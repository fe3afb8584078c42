import test from 'ava';
import type { UserDirectory } from '../src/domain/authors.js';
import { CachedUserDirectory } from '../src/clients/cached-user-directory.js';

/** A directory that records its calls (the real one is the user service over gRPC; system tests cover it). */
function recording() {
  const calls: { userIds: string[]; usernames?: string[]; viewerId?: string }[] = [];
  const dir: UserDirectory = {
    profiles: async (req) => {
      calls.push(req);
      return new Map(req.userIds.map((id) => [id, { userId: id, username: `u-${id}`, bio: null, image: null, following: !!req.viewerId }]));
    },
    following: async () => [],
  };
  return { dir, calls };
}

test('anonymous look-ups are served from the cache until it expires, and only the missing authors are asked for', async (t) => {
  let now = 1000;
  const { dir, calls } = recording();
  const cached = new CachedUserDirectory(dir, 5000, 100, () => now);
  await cached.profiles({ userIds: ['a', 'b'] });
  const second = await cached.profiles({ userIds: ['a', 'b', 'c'] });
  t.deepEqual(calls.map((c) => c.userIds), [['a', 'b'], ['c']]);
  t.deepEqual([...second.keys()].sort(), ['a', 'b', 'c']);
  now += 5001;
  await cached.profiles({ userIds: ['a'] });
  t.deepEqual(calls.at(-1)!.userIds, ['a'], 'expired entries are fetched again');
});

test('look-ups for a viewer (following) or by username always ask the user service', async (t) => {
  const { dir, calls } = recording();
  const cached = new CachedUserDirectory(dir, 5000);
  await cached.profiles({ userIds: ['a'] });
  const forViewer = await cached.profiles({ userIds: ['a'], viewerId: 'v' });
  await cached.profiles({ userIds: [], usernames: ['u-a'] });
  t.is(calls.length, 3);
  t.true(forViewer.get('a')!.following);
});

test("a viewer's own card comes from the cache (nobody follows themselves); with anyone else it asks", async (t) => {
  const { dir, calls } = recording();
  const cached = new CachedUserDirectory(dir, 5000);
  const first = await cached.profiles({ userIds: ['me'], viewerId: 'me' });
  const again = await cached.profiles({ userIds: ['me'], viewerId: 'me' });
  t.is(calls.length, 1, 'the second look-up of my own card is served from the cache');
  t.false(first.get('me')!.following);
  t.false(again.get('me')!.following);
  t.deepEqual(calls[0], { userIds: ['me'] }, 'asked as an anonymous look-up, so the cached card is the anonymous one');
  await cached.profiles({ userIds: ['me', 'other'], viewerId: 'me' });
  t.is(calls.length, 2);
});

test('a TTL of 0 disables the cache', async (t) => {
  const { dir, calls } = recording();
  const cached = new CachedUserDirectory(dir, 0);
  await cached.profiles({ userIds: ['a'] });
  await cached.profiles({ userIds: ['a'] });
  t.is(calls.length, 2);
});
