import test from 'ava';
import fc from 'fast-check';
import { identityToHeaders } from '@vcd/http';
import { mayHaveWritten, sharedLifetimeMs, viewerLifetimeMs } from '../src/domain/shared-cache-policy.js';
import { AnswerCache, answerKey } from '../src/http/answer-cache.js';
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
const anon = (key: string) => ({ key, perViewer: false });
const viewerOf = (key: string, userId = key) => ({ key, perViewer: true, userId });

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

test('an unsafe request counts as a write unless it was refused as a client error', (t) => {
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
  const cache = new AnswerCache(5000, 1 << 20, () => now);
  const up = upstream();
  const first = await Promise.all(Array.from({ length: 20 }, () => cache.answer(anon('k'), up.fetch())));
  t.is(up.calls, 1);
  t.true(first.every((r) => text(r) === 'page 1'));
  t.deepEqual(first.map((r) => r.own), [true, ...Array<boolean>(19).fill(false)], 'only the request that fetched owns the answer (its trace context)');
  now += 900;
  const hit = await cache.answer(anon('k'), up.fetch());
  t.is(text(hit), 'page 1');
  t.is(hit.ageSeconds, 0);
  t.false(hit.own);
  t.is(hit.response.headers.get('traceparent'), null, 'the upstream trace context of another request is not replayed');
  now += 200; // s-maxage=1 has passed
  t.is(text(await cache.answer(anon('k'), up.fetch())), 'page 2');
});

test('answers that are not public, not 200, or whose fetch failed are not kept', async (t) => {
  const cache = new AnswerCache(5000);
  const up = upstream();
  await cache.answer(anon('a'), up.fetch(null));
  await cache.answer(anon('a'), up.fetch(null));
  await cache.answer(anon('b'), up.fetch('public, s-maxage=1', 404));
  await cache.answer(anon('b'), up.fetch('public, s-maxage=1', 404));
  t.is(up.calls, 4);
  await t.throwsAsync(cache.answer(anon('c'), async () => Promise.reject(new Error('sidecar down'))));
  t.is(text(await cache.answer(anon('c'), up.fetch())), 'page 5');
});

test('invalidate(): no reader gets a page fetched before it, neither kept nor in flight', async (t) => {
  const cache = new AnswerCache(5000);
  let release!: (r: UpstreamResponse) => void;
  const before = cache.answer(anon('k'), () => new Promise((r) => (release = r)));
  cache.invalidate();
  const after = cache.answer(anon('k'), async () => answer('after'));
  release(answer('before'));
  t.is(text(await before), 'before');
  t.is(text(await after), 'after');
  t.is(text(await cache.answer(anon('k'), async () => answer('never asked'))), 'after', 'the later page is the one kept');
});

const viewerPage = (body: string) => answer(body, 'private, no-cache', 200, { 'gateway-cache-control': 'max-age=1' });

test('a write drops its writer\'s answers at once, in every session; every other reader keeps theirs for its lifetime (ADR 25)', async (t) => {
  let now = 10_000;
  const cache = new AnswerCache(5000, 1 << 20, () => now);
  const read = (key: { key: string; perViewer: boolean; userId?: string }, body: string) =>
    cache.answer(key, async () => (key.perViewer ? viewerPage(body) : answer(body))).then(text);
  const alice1 = viewerOf('alice session 1', 'alice');
  const alice2 = viewerOf('alice session 2', 'alice');
  const bob = viewerOf('bob');
  for (const key of [alice1, alice2, bob, anon('page')]) await read(key, 'before');
  now += 300;
  cache.writtenBy('alice');
  t.is(await read(alice1, 'after'), 'after', 'the writer\'s next read is fetched again');
  t.is(await read(alice2, 'after'), 'after', 'in their other sessions too');
  t.is(await read(bob, 'after'), 'before', 'another reader keeps their answer');
  t.is(await read(anon('page'), 'after'), 'before', 'so do anonymous readers');
  cache.writtenBy(undefined);
  t.is(await read(anon('page'), 'after'), 'before', 'an anonymous write (a log-in) drops nothing');
  now += 701; // a second since the first fetches began
  t.is(await read(bob, 'after'), 'after', 'no answer outlives its lifetime: the write shows within it');
  t.is(await read(anon('page'), 'after'), 'after');
  t.is(await read(alice1, 'later'), 'after', 'the writer\'s answer fetched after the write is kept again');
});

test('a fetch of the writer\'s that began before their write is neither kept nor shared with them; other readers still share theirs', async (t) => {
  const cache = new AnswerCache(5000);
  let release!: (r: UpstreamResponse) => void;
  const alice = viewerOf('alice');
  const before = cache.answer(alice, () => new Promise((r) => (release = r)));
  const anonymousBefore = cache.answer(anon('page'), () => new Promise((r) => setTimeout(() => r(answer('shared')), 20)));
  cache.writtenBy('alice');
  const after = cache.answer(alice, async () => viewerPage('after the write'));
  const anonymousJoined = cache.answer(anon('page'), async () => answer('never asked'));
  release(viewerPage('before the write'));
  t.is(text(await before), 'before the write');
  t.is(text(await after), 'after the write', 'the writer did not join the fetch that began before their write');
  t.is(text(await cache.answer(alice, async () => viewerPage('never asked'))), 'after the write', 'and the older answer was not kept over it');
  t.is(text(await anonymousJoined), 'shared', 'another reader joins a running fetch whatever was written meanwhile');
  t.is(text(await anonymousBefore), 'shared');
});

test('an answer is served at most its lifetime after its fetch began: a slow fetch is kept for what remains, or not at all', async (t) => {
  let now = 10_000;
  const cache = new AnswerCache(5000, 1 << 20, () => now);
  const slow = (ms: number, body: string) => async () => {
    now += ms;
    return answer(body);
  };
  await cache.answer(anon('a'), slow(600, 'a1'));
  const hit = await cache.answer(anon('a'), slow(0, 'a2'));
  t.is(text(hit), 'a1');
  now += 399;
  t.is(text(await cache.answer(anon('a'), slow(0, 'a2'))), 'a1', '999 ms after its fetch began');
  now += 2;
  t.is(text(await cache.answer(anon('a'), slow(0, 'a2'))), 'a2', 'past a second after: fetched again');
  await cache.answer(anon('b'), slow(1001, 'b1'));
  t.is(text(await cache.answer(anon('b'), slow(0, 'b2'))), 'b2', 'a fetch that took its whole lifetime is not kept');
  t.is(hit.ageSeconds, 0);
  now += 1500;
  await cache.answer(anon('c'), slow(0, 'c1'));
  now += 500;
  const aged = await cache.answer(anon('c'), slow(0, 'c2'));
  t.is(aged.ageSeconds, 0, 'Age counts from the fetch\'s start');
});

test('when more users write within the cap than it remembers, a write empties every answer (never serves a writer their old answer)', async (t) => {
  const cache = new AnswerCache(5000, 1 << 20, Date.now, 2);
  const read = (key: { key: string; perViewer: boolean; userId?: string }, body: string) =>
    cache.answer(key, async () => (key.perViewer ? viewerPage(body) : answer(body))).then(text);
  await read(viewerOf('carol'), 'before');
  await read(anon('page'), 'before');
  cache.writtenBy('alice');
  cache.writtenBy('bob');
  t.is(await read(viewerOf('carol'), 'after'), 'before');
  cache.writtenBy('dave'); // alice is forgotten: everything goes
  t.is(await read(viewerOf('carol'), 'after'), 'after');
  t.is(await read(anon('page'), 'after'), 'after');
  t.is(await read(viewerOf('alice'), 'after'), 'after');
});

test('memory is bounded by bytes: the least recently used pages go first', async (t) => {
  const cache = new AnswerCache(5000, 4 * 1024);
  for (let i = 0; i < 10; i++) await cache.answer(anon(`k${i}`), async () => answer('x'.repeat(1000)));
  let refetched = 0;
  await cache.answer(anon('k0'), async () => (refetched++, answer('x')));
  t.is(refetched, 1, 'the oldest page was evicted');
  await cache.answer(anon('k9'), async () => (refetched++, answer('x')));
  t.is(refetched, 1, 'the newest page is still there');
});

test('expired answers are freed without being asked for again, by a sweep every max(1 s, cap)', async (t) => {
  let now = 10_000;
  const cache = new AnswerCache(5000, 1 << 20, () => now);
  for (let i = 0; i < 5; i++) await cache.answer(anon(`k${i}`), async () => answer('x'.repeat(1000)));
  t.is(cache.bytes, 5 * (1000 + 512));
  now += 900;
  cache.purgeStale();
  t.is(cache.bytes, 5 * (1000 + 512), 'fresh answers stay');
  now += 200; // s-maxage=1 has passed
  cache.purgeStale();
  t.is(cache.bytes, 0);
  // The timer, on the real clock: an answer kept for 1 s is gone 2.5 s later though nobody asked for it.
  const timed = new AnswerCache(1000);
  await timed.answer(anon('k'), async () => answer('x'.repeat(1000)));
  t.true(timed.bytes > 0);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.is(timed.bytes, 0);
});

test('the gateway keeps an answer for its one viewer only when the upstream says Gateway-Cache-Control: max-age, never longer than the cap', (t) => {
  t.is(viewerLifetimeMs('max-age=1', 5000), 1000);
  t.is(viewerLifetimeMs('MAX-AGE=3', 5000), 3000);
  t.is(viewerLifetimeMs('max-age=600', 5000), 5000, 'capped');
  for (const refused of [null, '', 'public', 's-maxage=5', 'max-age=0', 'max-age=-1', 'max-age=1.5', 'max-age="1"', 'max-age=1, no-store', 'no-cache, max-age=1', 'max-age=1, max-age=60']) {
    t.is(viewerLifetimeMs(refused, 5000), 0, String(refused));
  }
  t.is(viewerLifetimeMs('max-age=5', 0), 0, 'a cap of 0 turns the cache off');
});

const viewerAnswer = (body: string, gatewayCacheControl: string | null, cacheControl: string | null = null): UpstreamResponse =>
  answer(body, cacheControl, 200, gatewayCacheControl ? { 'gateway-cache-control': gatewayCacheControl } : {});

test('each field speaks to its own readers: Cache-Control public keeps nothing for a viewer, Gateway-Cache-Control nothing for anonymous readers', async (t) => {
  const cache = new AnswerCache(5000);
  let n = 0;
  const fetch = (res: (body: string) => UpstreamResponse) => async () => res(`answer ${++n}`);
  await cache.answer(viewerOf('v'), fetch((b) => answer(b, 'public, max-age=0, s-maxage=1')));
  t.is(text(await cache.answer(viewerOf('v'), fetch((b) => answer(b, 'public, max-age=0, s-maxage=1')))), 'answer 2', 'a viewer\'s answer marked only public is not kept');
  await cache.answer(anon('a'), fetch((b) => viewerAnswer(b, 'max-age=1')));
  t.is(text(await cache.answer(anon('a'), fetch((b) => viewerAnswer(b, 'max-age=1')))), 'answer 4', 'an anonymous answer marked only for the gateway is not kept');
  await cache.answer(viewerOf('w'), fetch((b) => viewerAnswer(b, 'max-age=1', 'private, no-cache')));
  const hit = await cache.answer(viewerOf('w'), fetch((b) => viewerAnswer(b, 'max-age=1')));
  t.is(text(hit), 'answer 5', 'an answer marked for the gateway is kept for its viewer, whatever its own Cache-Control tells browsers');
  t.is(hit.ageSeconds, 0);
  t.is((await cache.answer(viewerOf('x'), fetch((b) => viewerAnswer(b, 'max-age=1')))).response.payload.toString(), 'answer 6', 'another key is another viewer');
  cache.writtenBy('w');
  t.is(text(await cache.answer(viewerOf('w'), fetch((b) => viewerAnswer(b, 'max-age=1')))), 'answer 7', 'a write drops its writer\'s answers');
});

test('property: no request spells another reader\'s key (an anonymous query cannot name a viewer, one viewer never gets another\'s)', (t) => {
  const identity = fc.record({
    userId: fc.oneof(fc.uuid(), fc.string({ maxLength: 8 })),
    username: fc.string({ maxLength: 8 }),
    role: fc.constantFrom('user' as const, 'editor' as const, 'admin' as const),
    sessionId: fc.oneof(fc.uuid(), fc.string({ maxLength: 8 })),
  });
  const app = fc.constantFrom('blog', 'user', 'blog ');
  const path = fc.constantFrom('/api/articles', '/api/articles ', '/api/tags');
  const base = fc.constantFrom('', 'limit=20');
  // A victim's request, and what an attacker may send knowing the victim's identity: the victim's key spelled into a
  // query string (for the naive key "app path?query as identity"), with or without an identity of their own.
  const pair = fc.tuple(app, path, base, identity, fc.option(identity, { nil: undefined }), fc.string({ maxLength: 12 })).chain(([a, p, q, victim, own, noise]) => {
    const headers = JSON.stringify(identityToHeaders(victim));
    const crafted = fc.constantFrom(`${q} as ${headers}`, `${q}",${headers}]`, `${q}${noise}`, q);
    return fc.tuple(
      fc.constant({ appId: a, path: p, query: q, identity: victim as typeof own }),
      fc.record({ appId: fc.oneof(fc.constant(a), app), path: fc.oneof(fc.constant(p), path), query: crafted, identity: fc.constantFrom(own, victim as typeof own) }),
    );
  });
  t.notThrows(() =>
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const same = a.appId === b.appId && a.path === b.path && a.query === b.query && JSON.stringify(a.identity) === JSON.stringify(b.identity);
        return (answerKey(a.appId, a.path, a.query, a.identity).key === answerKey(b.appId, b.path, b.query, b.identity).key) === same;
      }),
      { numRuns: 5000 },
    ),
  );
});
