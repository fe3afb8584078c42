import test from 'ava';
import { FollowedAuthors } from '../src/clients/followed-authors.js';

/** A user service whose ListFollowing answers take 10 ms, counted. */
const userService = (follows: Map<string, string[]>) => {
  const calls: string[] = [];
  return {
    calls,
    following: async (userId: string) => {
      calls.push(userId);
      const answer = follows.get(userId) ?? []; // read when asked, answered a little later
      await new Promise((r) => setTimeout(r, 10));
      return answer;
    },
  };
};

test('a viewer\'s follows are asked once, shared by concurrent pages, and kept until their TTL', async (t) => {
  let now = 1000;
  const users = userService(new Map([['v', ['a', 'b']]]));
  const follows = new FollowedAuthors(users, 60_000, 100, () => now);
  const sets = await Promise.all(Array.from({ length: 20 }, () => follows.of('v')));
  t.true(sets.every((s) => s.has('a') && s.has('b') && s.size === 2));
  t.deepEqual(users.calls, ['v']);
  now += 59_000;
  await follows.of('v');
  t.is(users.calls.length, 1);
  now += 2_000;
  await follows.of('v');
  t.is(users.calls.length, 2, 'asked again after the TTL');
});

test('forget (a follow event) drops the set, and a look-up in flight when it arrived is not kept', async (t) => {
  const data = new Map([['v', ['a']]]);
  const users = userService(data);
  const follows = new FollowedAuthors(users, 60_000);
  const before = follows.of('v'); // in flight
  data.set('v', ['a', 'c']);
  follows.forget('v'); // the event: the user followed c
  t.deepEqual([...(await follows.of('v'))].sort(), ['a', 'c'], 'a look-up after the event asks again');
  t.deepEqual([...(await before)], ['a'], 'the earlier caller gets what was true when it asked');
  t.deepEqual([...(await follows.of('v'))].sort(), ['a', 'c'], 'the stale answer did not overwrite the fresh one');
  t.is(users.calls.length, 2);
});

test('viewers are kept apart; a failed look-up is not kept; TTL 0 asks every time', async (t) => {
  const users = userService(new Map([['v', ['a']], ['w', ['b']]]));
  const follows = new FollowedAuthors(users, 60_000);
  t.deepEqual([...(await follows.of('v'))], ['a']);
  t.deepEqual([...(await follows.of('w'))], ['b']);

  let fail = true;
  const flaky = new FollowedAuthors({ following: async () => (fail ? Promise.reject(new Error('user service down')) : ['x']) }, 60_000);
  await t.throwsAsync(flaky.of('v'), { message: 'user service down' });
  fail = false;
  t.deepEqual([...(await flaky.of('v'))], ['x']);

  const uncached = new FollowedAuthors(users, 0);
  await uncached.of('v');
  await uncached.of('v');
  t.is(users.calls.filter((id) => id === 'v').length, 3);
});
