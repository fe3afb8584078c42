import test from 'ava';
import { type z } from 'zod';
import { EMAIL, PASSWORD, TYPED_PASSWORD, USERNAME } from '../src/http/account-fields.js';
import { isCommonPassword } from '../src/domain/common-passwords.js';
import { passwordContextProblems } from '../src/domain/password-policy.js';

const problems = (password: unknown, schema: z.ZodType = PASSWORD) => (schema.safeParse(password).error?.issues ?? []).map((i) => i.message);

test('passwords need 8 characters and may be long; nothing is cut off', (t) => {
  t.deepEqual(problems('abc'), ['is too short (minimum is 8 characters)']);
  const long = 'a quite long passphrase that nobody has ever leaked '.repeat(3);
  t.true(long.length > 64);
  t.is(PASSWORD.parse(long), long);
  t.deepEqual(problems('x'.repeat(1025)), ['is too long (maximum is 1024 characters)']);
  t.deepEqual(problems('🔒'.repeat(8)), ["can't be one character repeated"], 'characters are code points: 8 emoji are 8 characters');
  t.deepEqual(problems('🔑🔒🔐🗝️'), ['is too short (minimum is 8 characters)']);
});

test('common passwords from the maintained list are refused, whatever their case', (t) => {
  for (const p of ['password', 'Password1', 'qwertyuiop', '1qaz2wsx', 'iloveyou', 'baseball']) {
    t.true(isCommonPassword(p), p);
  }
  t.deepEqual(problems('Sunshine1'), ['is too common (it appears in lists of leaked passwords)']);
  t.deepEqual(problems('correct horse battery staple 42'), []);
});

test('each refusal says exactly what is wrong: blank, whitespace only, one repeated character, not a string', (t) => {
  t.deepEqual(problems(''), ["can't be blank"]);
  t.deepEqual(problems(undefined), ["can't be blank"]);
  t.deepEqual(problems(null), ["can't be blank"]);
  t.deepEqual(problems('          '), ["can't be only whitespace"]);
  t.deepEqual(problems('\t \n \u00a0  \u2003 '), ["can't be only whitespace"]);
  t.deepEqual(problems('zzzzzzzzzzzz'), ["can't be one character repeated"]);
  t.deepEqual(problems('zzz'), ['is too short (minimum is 8 characters)', "can't be one character repeated"]);
  t.deepEqual(problems(12345678), ['must be a string']);
  t.deepEqual(problems({ password: 'x' }), ['must be a string']);
  t.deepEqual(problems(['correct horse battery staple']), ['must be a string']);
});

test('other fields say "must be a string" and "is too long" too, never "can\'t be blank" for a value that is there', (t) => {
  t.deepEqual(problems(42, USERNAME), ['must be a string']);
  t.deepEqual(problems('u'.repeat(65), USERNAME), ['is too long (maximum is 64 characters)']);
  t.deepEqual(problems(42, EMAIL), ['must be a string']);
  t.deepEqual(problems(`${'a'.repeat(250)}@example.test`, EMAIL), ['is too long (maximum is 254 characters)']);
  t.deepEqual(problems(42, TYPED_PASSWORD), ['must be a string']);
  t.deepEqual(problems('x'.repeat(1025), TYPED_PASSWORD), ['is too long (maximum is 1024 characters)']);
  t.deepEqual(problems('', TYPED_PASSWORD), ["can't be blank"]);
});

test('a password may not contain the username or the e-mail name (case-insensitive), when those are 4 characters or more', (t) => {
  const account = { username: 'JakeTheDog', email: 'jake.peralta@example.test' };
  t.deepEqual(passwordContextProblems('my name is jakethedog!', account), ["can't contain your username"]);
  t.deepEqual(passwordContextProblems('I am JAKE.PERALTA, detective', account), ["can't contain your e-mail address (the part before the @)"]);
  t.deepEqual(passwordContextProblems('jakethedog + jake.peralta', account), ["can't contain your username", "can't contain your e-mail address (the part before the @)"]);
  t.deepEqual(passwordContextProblems('correct horse battery staple', account), []);
  t.deepEqual(passwordContextProblems('example.test is the domain, allowed', account), [], 'the domain is not a personal word');
  t.deepEqual(passwordContextProblems('bob is in a bobsled', { username: 'bob', email: 'al@example.test' }), [], 'too short to mean anything');
  t.deepEqual(passwordContextProblems('anything at all really', {}), []);
});
