import test from 'ava';
import fc from 'fast-check';
import { sameSecret } from '../src/service-app.js';

test('a presented secret is equal only when its bytes are, and no input throws (non-ASCII, lone surrogates, any length)', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (presented, expected) => {
      t.is(sameSecret(presented, expected), Buffer.from(presented).equals(Buffer.from(expected)));
      t.true(sameSecret(expected, expected));
    }),
    { numRuns: 2000 },
  );
});

test('a non-ASCII header as long as the token in characters, but not in bytes, is unequal rather than an error', (t) => {
  const token = 'a'.repeat(32);
  t.false(sameSecret(`${'a'.repeat(31)}é`, token));
  t.false(sameSecret(`${'a'.repeat(31)}\u{1F600}`.slice(0, 32), token));
});
