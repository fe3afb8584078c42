import test from 'ava';
import fc from 'fast-check';
import { mayHaveWritten, sharedLifetimeMs } from '../src/domain/shared-cache-policy.js';
import { PublicResponseCache } from '../src/http/public-cache.js';
import type { UpstreamResponse } from '../src/http/forward.js';

const answer = (body: string, cacheControl: string | null = 'public, max-age=0, s-maxage=1', status = 200, extra: Record<string, string> = {}): UpstreamResponse => {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(cacheControl ? { 'cache-control': cacheControl } : {}), ...extra };
  return { status, payload: Buffer.from(body), headers: { get: (n) => headers[n] ?? null } };
};
const upstream = () => {
  let n = 0;
  return {
    get calls() {
      return n;
    },
    fetch: (cc?: string | null, status?: number) => async () => {
      n++;
      await new Promise((r) => setTimeout(r, 5));
      return answer(`page ${n}`, cc, status);
    },
  };
};
const text = (r: { response: UpstreamResponse }) => r.response.payload.toString();

test('only public answers with an explicit s-maxage are kept, never longer than the cap', (t) => {
  t.is(sharedLifetimeMs('public, max-age=0, s-maxage=1', 5000), 1000);
  t.is(sharedLifetimeMs('PUBLIC, S-MAXAGE=3', 5000), 3000);
  t.is(sharedLifetimeMs('public, s-maxage=600', 5000), 5000, 'capped');
  for (const refused of [null, '', 'public', 'public, max-age=60', 's-maxage=5', 'public, s-maxage=5, private', 'public, no-store, s-maxage=5',
    'public, no-cache, s-maxage=5', 'public, s-maxage=-1', 'public, s-maxage=1.5', 'public, s-maxage=0', 'public, s-maxage=1, s-maxage=60', 'public, s-maxage="5"']) {
    t.is(sharedLifetimeMs(refused, 5000), 0, String(refused));
  }
  t.is(sharedLifetimeMs('public, s-maxage=5', 0), 0, 'a cap of 0 turns the cache off');
});

test('property: the lifetime is never negative, never above the cap or s-maxage, and 0 without public or with a refusal', (t) => {
  const directive = fc.oneof(
    fc.constantFrom('public', 'PUBLIC', 'private', 'no-store', 'no-cache', 'max-age=60', 'must-revalidate'),
    fc.integer({ min: -5, max: 100_000 }).map((n) => `s-maxage=${n}`),
    fc.string({ maxLength: 12 }),
  );
  const header = fc.array(directive, { maxLength: 6 }).chain((parts) => fc.constantFrom(', ', ',', ' , ').map((sep) => parts.join(sep)));
  t.notThrows(() =>
    fc.assert(
      fc.property(header, fc.integer({ min: 0, max: 120_000 }), (cc, cap) => {
        const ms = sharedLifetimeMs(cc, cap);
        const names = cc.split(',').map((p) => p.split('=')[0]!.trim().toLowerCase());
        if (ms < 0 || ms > cap) return false;
        if (ms > 0 && (!names.includes('public') || names.some((n) => ['private', 'no-store', 'no-cache'].includes(n)))) return false;
        const sMaxAge = /s-maxage=(\d+)/i.exec(cc);
        return ms === 0 || (!!sMaxAge && ms <= Number(sMaxAge[1]) * 1000);
      }),
      { numRuns: 3000 },
    ),
  );
});

test('an unsafe request empties the cache unless it was refused as a client error', (t) => {
  t.true(mayHaveWritten('POST', 201));
  t.true(mayHaveWritten('DELETE', 204));
  t.true(mayHaveWritten('PUT', 504), 'a timeout may hide a committed write');
  t.false(mayHaveWritten('POST', 422));
  t.false(mayHaveWritten('POST', 401));
  t.false(mayHaveWritten('GET', 200));
  t.false(mayHaveWritten('HEAD', 200));
});

test('a page is fetched once for concurrent readers, then served from memory with its age until it expires', async (t) => {
  let now = 10_000;
  const cache = new PublicResponseCache(5000, 1 << 20, () => now);
  const up = upstream();
  const first = await Promise.all(Array.from({ length: 20 }, () => cache.answer('k', up.fetch())));
  t.is(up.calls, 1);
  t.true(first.every((r) => text(r) === 'page 1'));
  t.deepEqual(first.map((r) => r.own), [true, ...Array<boolean>(19).fill(false)], 'only the request that fetched owns the answer (its trace context)');
  now += 900;
  const hit = await cache.answer('k', up.fetch());
  t.is(text(hit), 'page 1');
  t.is(hit.ageSeconds, 0);
  t.false(hit.own);
  t.is(hit.response.headers.get('traceparent'), null, 'the upstream trace context of another request is not replayed');
  now += 200; // s-maxage=1 has passed
  t.is(text(await cache.answer('k', up.fetch())), 'page 2');
});

test('answers that are not public, not 200, or whose fetch failed are not kept', async (t) => {
  const cache = new PublicResponseCache(5000);
  const up = upstream();
  await cache.answer('a', up.fetch(null));
  await cache.answer('a', up.fetch(null));
  await cache.answer('b', up.fetch('public, s-maxage=1', 404));
  await cache.answer('b', up.fetch('public, s-maxage=1', 404));
  t.is(up.calls, 4);
  await t.throwsAsync(cache.answer('c', async () => Promise.reject(new Error('sidecar down'))));
  t.is(text(await cache.answer('c', up.fetch())), 'page 5');
});

test('after a write no reader gets a page fetched before it, neither kept nor in flight', async (t) => {
  const cache = new PublicResponseCache(5000);
  let release!: (r: UpstreamResponse) => void;
  const before = cache.answer('k', () => new Promise((r) => (release = r)));
  cache.invalidate(); // a write answered while the fetch was running
  const after = cache.answer('k', async () => answer('after the write'));
  release(answer('before the write'));
  t.is(text(await before), 'before the write');
  t.is(text(await after), 'after the write');
  t.is(text(await cache.answer('k', async () => answer('never asked'))), 'after the write', 'the later page is the one kept');
});

test('memory is bounded by bytes: the least recently used pages go first', async (t) => {
  const cache = new PublicResponseCache(5000, 4 * 1024);
  for (let i = 0; i < 10; i++) await cache.answer(`k${i}`, async () => answer('x'.repeat(1000)));
  let refetched = 0;
  await cache.answer('k0', async () => (refetched++, answer('x')));
  t.is(refetched, 1, 'the oldest page was evicted');
  await cache.answer('k9', async () => (refetched++, answer('x')));
  t.is(refetched, 1, 'the newest page is still there');
});
