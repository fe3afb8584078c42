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

test('concurrent readers of a missing page share one computation, also right after a write', async (t) => {
  const cache = new PublicPageCache(60_000);
  const c = counter();
  const slowCompute = () => new Promise<number>((r) => setTimeout(() => r(c.compute()), 20));
  const first = await Promise.all(Array.from({ length: 50 }, () => cache.getOrCompute('k', slowCompute)));
  t.deepEqual(new Set(first), new Set([1]));
  t.is(c.calls, 1);
  cache.invalidate();
  const second = await Promise.all(Array.from({ length: 50 }, () => cache.getOrCompute('k', slowCompute)));
  t.deepEqual(new Set(second), new Set([2]), 'one recomputation for every reader that came after the write');
  t.is(c.calls, 2);
});

test('a reader that arrives after a write never joins a computation that started before it', async (t) => {
  const cache = new PublicPageCache(60_000);
  let release!: (v: string) => void;
  const before = cache.getOrCompute('k', () => new Promise<string>((r) => (release = r)));
  cache.invalidate();
  const after = cache.getOrCompute('k', async () => 'after the write');
  release('before the write');
  t.is(await before, 'before the write');
  t.is(await after, 'after the write');
  t.is(await cache.getOrCompute('k', async () => 'never'), 'after the write');
});

test('a failed computation is not kept', async (t) => {
  const cache = new PublicPageCache(60_000);
  await t.throwsAsync(cache.getOrCompute('k', async () => Promise.reject(new Error('database down'))), { message: 'database down' });
  t.is(await cache.getOrCompute('k', async () => 'recovered'), 'recovered');
});

test('a lasting value (a total) outlives writes but not its TTL; concurrent readers share it; a failure is not kept', async (t) => {
  let now = 5000;
  const cache = new PublicPageCache(1000, 10, () => now);
  const c = counter();
  const first = await Promise.all(Array.from({ length: 5 }, () => cache.getOrComputeLasting('total', c.compute)));
  t.deepEqual(first, [1, 1, 1, 1, 1]);
  cache.invalidate();
  t.is(await cache.getOrComputeLasting('total', c.compute), 1, 'a write does not empty it');
  t.is(await cache.getOrCompute('page', async () => 'p'), 'p', 'pages are apart from lasting values');
  now = 6001;
  t.is(await cache.getOrComputeLasting('total', c.compute), 2, 'never older than the TTL');
  await t.throwsAsync(cache.getOrComputeLasting('broken', async () => Promise.reject(new Error('db down'))));
  t.is(await cache.getOrComputeLasting('broken', async () => 7), 7);
  t.is(await new PublicPageCache(0).getOrComputeLasting('x', async () => 1).then(() => new PublicPageCache(0).getOrComputeLasting('x', async () => 2)), 2, 'a TTL of 0 keeps nothing');
});
