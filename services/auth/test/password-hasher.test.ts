import test from 'ava';
import { PasswordHasher } from '../src/domain/password-hasher.js';

const hasher = new PasswordHasher({ memoryKiB: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 2 });

test('hashes are argon2id with the parameters set explicitly (m=19456 KiB, t=2, p=1)', async (t) => {
  const hash = await hasher.hash('correct horse battery staple');
  t.regex(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.true(await hasher.verify(hash, 'correct horse battery staple'));
  t.false(await hasher.verify(hash, 'correct horse battery stapl'));
});

test('an unknown account still costs one verification and never matches', async (t) => {
  t.false(await hasher.verify(undefined, 'anything at all'));
});

test('no more than maxConcurrency argon2 computations run at once; the rest queue', async (t) => {
  const limited = new PasswordHasher({ memoryKiB: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 1 });
  const active = () => (limited as unknown as { active: number }).active;
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, active())), 1);
  await Promise.all([limited.hash('one password'), limited.hash('two password'), limited.hash('three password')]);
  clearInterval(watch);
  t.is(peak, 1);
});
