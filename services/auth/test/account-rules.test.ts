import test from 'ava';
import { PASSWORD } from '../src/domain/account-rules.js';
import { isCommonPassword } from '../src/domain/common-passwords.js';

const problems = (password: string) => (PASSWORD.safeParse(password).error?.issues ?? []).map((i) => i.message);

test('passwords need 8 characters and may be long; nothing is cut off', (t) => {
  t.deepEqual(problems('abc'), ['is too short (minimum is 8 characters)']);
  const long = 'a quite long passphrase that nobody has ever leaked '.repeat(3);
  t.true(long.length > 64);
  t.is(PASSWORD.parse(long), long);
  t.deepEqual(problems('x'.repeat(1025)), ['is too long (maximum is 1024 characters)']);
});

test('common passwords from the maintained list are refused, whatever their case', (t) => {
  for (const p of ['password', 'Password1', 'qwertyuiop', '1qaz2wsx', 'iloveyou', 'baseball']) {
    t.true(isCommonPassword(p), p);
  }
  t.deepEqual(problems('Sunshine1'), ['is too common (it appears in lists of leaked passwords)']);
  t.deepEqual(problems('correct horse battery staple 42'), []);
});
