import test from 'ava';
import { CachedProfileCards } from '../src/clients/cached-profile-cards.js';
import type { ProfileCard } from '../src/clients/user-profiles.js';

/** The user service as a table; `gate` holds a look-up until the test lets it answer (an edit racing a read). */
function fakeUser(cards: Record<string, ProfileCard>) {
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  return {
    calls,
    hold() {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    inner: {
      cardOf: async (id: string) => {
        calls.push(id);
        const answer = { ...cards[id]! };
        await gate;
        return answer;
      },
    },
  };
}

test('a card is asked once and served from memory while it lasts; another user\'s card is asked for', async (t) => {
  const user = fakeUser({ alice: { bio: 'a', image: null }, bob: { bio: 'b', image: 'http://x/b.png' } });
  let now = 1_000;
  const cards = new CachedProfileCards(user.inner, 5_000, 100, () => now);
  t.deepEqual(await cards.cardOf('alice'), { bio: 'a', image: null });
  t.deepEqual(await cards.cardOf('alice'), { bio: 'a', image: null });
  t.deepEqual(await cards.cardOf('bob'), { bio: 'b', image: 'http://x/b.png' });
  t.deepEqual(user.calls, ['alice', 'bob']);
  now += 5_001;
  await cards.cardOf('alice');
  t.deepEqual(user.calls, ['alice', 'bob', 'alice'], 'past its TTL a card is asked again');
});

test('a dropped card is asked again, and only that one', async (t) => {
  const table = { alice: { bio: 'old', image: null }, bob: { bio: 'b', image: null } };
  const user = fakeUser(table);
  const cards = new CachedProfileCards(user.inner, 60_000);
  await cards.cardOf('alice');
  await cards.cardOf('bob');
  table.alice.bio = 'new';
  cards.forget('alice');
  t.is((await cards.cardOf('alice')).bio, 'new');
  await cards.cardOf('bob');
  t.deepEqual(user.calls, ['alice', 'bob', 'alice']);
});

test('a card read before an edit is answered but not kept when the edit drops the card while the read is in flight', async (t) => {
  const table = { alice: { bio: 'old', image: null } };
  const user = fakeUser(table);
  const cards = new CachedProfileCards(user.inner, 60_000);
  const release = user.hold();
  const reading = cards.cardOf('alice'); // reads "old", then waits
  await new Promise((r) => setImmediate(r));
  table.alice.bio = 'new';
  cards.forget('alice'); // the edit lands while the read is still out
  release();
  t.is((await reading).bio, 'old');
  t.is((await cards.cardOf('alice')).bio, 'new', 'the stale card was not kept');
  t.deepEqual(user.calls, ['alice', 'alice']);
});

test('with a TTL of 0 nothing is kept', async (t) => {
  const user = fakeUser({ alice: { bio: 'a', image: null } });
  const cards = new CachedProfileCards(user.inner, 0);
  await cards.cardOf('alice');
  await cards.cardOf('alice');
  t.is(user.calls.length, 2);
});

test('a fresh look-up asks the user service even while a card is kept, and keeps what it got', async (t) => {
  const table = { alice: { bio: 'old', image: null } };
  const user = fakeUser(table);
  const cards = new CachedProfileCards(user.inner, 60_000);
  await cards.cardOf('alice');
  table.alice.bio = 'changed elsewhere';
  t.is((await cards.cardOf('alice')).bio, 'old', 'kept');
  t.is((await cards.cardOf('alice', { fresh: true })).bio, 'changed elsewhere');
  t.is((await cards.cardOf('alice')).bio, 'changed elsewhere');
  t.deepEqual(user.calls, ['alice', 'alice']);
});
