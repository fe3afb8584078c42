import test from 'ava';
import fc from 'fast-check';
import { dictionary } from '@zxcvbn-ts/language-common';
import { isCommonPassword } from '../src/domain/common-passwords.js';

/** The package's own list, as its module gives it: what the compact sorted copy must answer exactly like. */
const listed = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

test('every password of the maintained list is common, in any case', (t) => {
  t.true(listed.size > 40_000);
  const missed = [...listed].filter((p) => !isCommonPassword(p) || !isCommonPassword(p.toUpperCase()));
  t.deepEqual(missed, []);
});

test('anything else is not: arbitrary strings, and listed ones with a character added or removed', (t) => {
  const words = [...listed];
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 24 }),
        fc.string({ maxLength: 12 }),
        fc.tuple(fc.constantFrom(...words), fc.string({ minLength: 1, maxLength: 2 })).map(([w, s]) => w + s),
        fc.constantFrom(...words).map((w) => w.slice(1)),
      ),
      (candidate) => isCommonPassword(candidate) === listed.has(candidate.toLowerCase()),
    ),
    { numRuns: 5_000 },
  );
  t.pass();
});
