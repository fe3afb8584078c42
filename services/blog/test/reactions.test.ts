import test from 'ava';
import { FAVORITE, REACTION_KINDS, reactionCounts } from '../src/domain/reactions.js';

test('reaction counts always have every public kind, zero included, and never the favorites', (t) => {
  t.deepEqual(reactionCounts(null), { like: 0, love: 0, insightful: 0, celebrate: 0, curious: 0 });
  const counts = reactionCounts({ like: 2, curious: '3' as unknown as number, [FAVORITE]: 9, unknown: 4 });
  t.deepEqual(Object.keys(counts), [...REACTION_KINDS]);
  t.like(counts, { like: 2, curious: 3, love: 0 });
  t.false(FAVORITE in counts);
});
