import test from 'ava';
import { PublicPageCache } from '../src/domain/public-page-cache.js';

const counter = () => {
  let n = 0;
  return { compute: async () => ++n, get calls() { return n; } };
};

test('a page is computed once and reused until it expires', async (t) => {
  let now = 5000;
  const cache = new PublicPageCache(1000, 10, () => now);
  const c = counter();
  t.is(await cache.getOrCompute('a', c.compute), 1);
  now = 5999;
  t.is(await cache.getOrCompute('a', c.compute), 1);
  now = 6001;
  t.is(await cache.getOrCompute('a', c.compute), 2, 'expired');
  t.is(c.calls, 2);
});

test('keys are kept apart, and a write empties every page', async (t) => {
  const cache = new PublicPageCache(60_000);
  t.is(await cache.getOrCompute('tag=a', async () => 'A1'), 'A1');
  t.is(await cache.getOrCompute('tag=b', async () => 'B1'), 'B1');
  t.is(await cache.getOrCompute('tag=a', async () => 'A2'), 'A1');
  cache.invalidate();
  t.is(cache.size, 0);
  t.is(await cache.getOrCompute('tag=a', async () => 'A2'), 'A2');
});

test('a page computed while a write happened is answered but not kept', async (t) => {
  const cache = new PublicPageCache(60_000);
  let release!: () => void;
  const slow = cache.getOrCompute('k', () => new Promise<string>((r) => (release = () => r('before the write'))));
  cache.invalidate(); // the write commits while the read is still running
  release();
  t.is(await slow, 'before the write');
  t.is(await cache.getOrCompute('k', async () => 'after the write'), 'after the write');
});

test('a TTL of 0 keeps nothing; the number of pages is bounded', async (t) => {
  const off = new PublicPageCache(0);
  const c = counter();
  await off.getOrCompute('a', c.compute);
  await off.getOrCompute('a', c.compute);
  t.is(c.calls, 2);
  t.false(off.enabled);

  const small = new PublicPageCache(60_000, 3);
  for (const k of ['a', 'b', 'c', 'd']) await small.getOrCompute(k, async () => 1);
  t.is(small.size, 3);
  const again = counter();
  await small.getOrCompute('a', again.compute);
  t.is(again.calls, 1, 'the oldest page was evicted');
});
