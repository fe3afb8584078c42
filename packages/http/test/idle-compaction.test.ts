import test from 'ava';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { compactWhenIdle, type Compacted, IDLE_UTILIZATION, IdleCompaction, NATIVE_SLACK_BYTES, SLACK_BYTES } from '../src/idle-compaction.js';

const MB = 1024 * 1024;

/**
 * A heap, a process and an event loop on paper: `collect` leaves `live` bytes committed (plus `young`, until a second
 * collection); `releaseNative` leaves `rssLive` bytes resident.
 */
function fakeProcess(start: number, options: { native?: boolean } = {}) {
  const state = { committed: start + SLACK_BYTES, live: start, rss: 200 * MB, rssLive: 100 * MB, utilization: 0, collections: 0, releases: 0 };
  const compaction = new IdleCompaction({
    utilization: () => state.utilization,
    heapCommitted: () => state.committed,
    rss: () => state.rss,
    collect: () => {
      state.collections++;
      state.committed = state.live;
    },
    releaseNative:
      options.native === false
        ? undefined
        : () => {
            state.releases++;
            state.rss = state.rssLive;
          },
  });
  // The first idle windows after start-up give its garbage back: a collection, the second one, and (where malloc can
  // be trimmed) one more release.
  compaction.windowEnded();
  compaction.windowEnded();
  compaction.windowEnded();
  return { state, compaction };
}

/** What windowEnded reports, in heap bytes only (the tests on the heap). */
const heapOf = (compacted: Compacted | undefined) => compacted && compacted.collected && compacted.heap;

test('after start-up, and after a load, two idle windows give the heap back: two collections, then nothing while the heap does not grow', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  t.is(state.collections, 2, 'start-up');
  t.is(state.committed, 60 * MB);
  t.is(compaction.windowEnded(), undefined, 'an idle heap that did not grow is left alone');
  state.committed = 190 * MB; // the load
  state.utilization = 0.9;
  t.is(compaction.windowEnded(), undefined, 'never while busy');
  state.utilization = 0.01;
  t.deepEqual(heapOf(compaction.windowEnded()), { before: 190 * MB, after: 60 * MB });
  state.committed = 62 * MB; // what V8 keeps of its young generation until a collection after a quiet spell
  t.deepEqual(heapOf(compaction.windowEnded()), { before: 62 * MB, after: 60 * MB }, 'the second collection, one window later');
  t.is(compaction.windowEnded(), undefined);
  t.is(state.collections, 4);
});

test('busy windows between the two collections postpone the second to the next idle one', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.committed = 190 * MB;
  t.truthy(compaction.windowEnded());
  state.utilization = 0.5; // a backlog drained after the load
  t.is(compaction.windowEnded(), undefined);
  t.is(compaction.windowEnded(), undefined);
  state.utilization = 0;
  state.committed = 62 * MB; // the young generation, still at its load size
  t.deepEqual(heapOf(compaction.windowEnded()), { before: 62 * MB, after: 60 * MB }, 'the second collection');
  t.is(compaction.windowEnded(), undefined, 'and no third');
  t.is(state.collections, 4);
});

test('a collection for a heap that grew again is followed by a second one of its own', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.committed = 190 * MB;
  t.truthy(compaction.windowEnded());
  state.utilization = 0.5;
  state.committed = 200 * MB; // a new load before the second collection
  t.is(compaction.windowEnded(), undefined);
  state.utilization = 0;
  t.deepEqual(heapOf(compaction.windowEnded()), { before: 200 * MB, after: 60 * MB });
  t.truthy(heapOf(compaction.windowEnded()), 'its second');
  t.is(compaction.windowEnded(), undefined);
  t.is(state.collections, 5);
});

test('a heap that grew less than the slack, or a window busier than 5 %, is left alone', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.committed = 60 * MB + SLACK_BYTES - 1;
  t.is(compaction.windowEnded(), undefined);
  state.committed = 60 * MB + SLACK_BYTES;
  state.utilization = 0.06;
  t.is(compaction.windowEnded(), undefined);
  state.utilization = IDLE_UTILIZATION;
  t.truthy(compaction.windowEnded(), 'at 5 % and the slack exactly: compacted');
});

test('what the last compaction left is the baseline: a cache that really grew does not cause a collection per window', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.live = 100 * MB; // the service now keeps 40 MB more
  state.committed = 150 * MB;
  t.truthy(compaction.windowEnded());
  t.truthy(compaction.windowEnded(), 'and its second collection');
  t.is(state.committed, 100 * MB);
  for (let i = 0; i < 5; i++) t.is(compaction.windowEnded(), undefined);
  state.committed = 90 * MB; // V8 shrank it by itself
  t.is(compaction.windowEnded(), undefined);
  state.committed = 90 * MB + SLACK_BYTES;
  t.truthy(compaction.windowEnded(), 'measured from the smaller heap');
  t.is(state.collections, 5);
});

test.serial('for real: garbage left by a burst of work is collected after one idle window, without --expose-gc', async (t) => {
  t.is((globalThis as { gc?: unknown }).gc, undefined, 'this process runs without --expose-gc');
  let resolveCompacted!: (bytes: { before: number; after: number } | undefined) => void;
  const result = new Promise<{ before: number; after: number } | undefined>((resolve) => (resolveCompacted = resolve));
  const { stop } = compactWhenIdle(300, (compacted) => compacted.collected && resolveCompacted(compacted.heap)); // as a service does at start, before its load
  const giveUp = setTimeout(() => resolveCompacted(undefined), 5_000);
  let keep: unknown[][] = [];
  for (let r = 0; r < 20; r++) {
    keep.push(Array.from({ length: 100_000 }, (_, i) => ({ i, s: `x${i}` })));
    if (keep.length > 4) keep.shift();
  }
  keep = [];
  const before = getHeapStatistics().total_heap_size;
  t.true(before > 80 * MB, `the burst left ${Math.round(before / MB)} MB committed`);
  const compacted = await result;
  stop();
  clearTimeout(giveUp);
  t.truthy(compacted, 'compacted within the wait');
  t.true(compacted!.after < compacted!.before - SLACK_BYTES, `${Math.round(compacted!.before / MB)} → ${Math.round(compacted!.after / MB)} MB`);
  t.true(getHeapStatistics().total_heap_size < before - SLACK_BYTES);
  t.is(keep.length, 0);
});

test('a window of 0 turns it off', (t) => {
  const { stop, releasesNative } = compactWhenIdle(0, () => t.fail());
  t.false(releasesNative);
  stop();
});

test.serial('for real: the second collection, after a quiet window of more than 5 s, gives the young generation back too', async (t) => {
  const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
  const compactions: { before: number; after: number }[] = [];
  let second!: () => void;
  const done = new Promise<void>((resolve) => (second = resolve));
  const { stop } = compactWhenIdle(5_500, (compacted) => {
    if (!compacted.collected) return;
    compactions.push(compacted.heap);
    if (compactions.length === 2) second();
  });
  const giveUp = setTimeout(second, 20_000);
  // Short-lived garbage at a high rate: V8 grows the young generation to its maximum.
  let kept = 0;
  const until = Date.now() + 1_500;
  while (Date.now() < until) kept += Array.from({ length: 1_000 }, (_, i) => ({ i })).length;
  const grown = youngBytes();
  t.true(grown >= 16 * MB, `young generation after the burst: ${Math.round(grown / MB)} MB`);
  await done;
  stop();
  clearTimeout(giveUp);
  t.is(compactions.length, 2);
  t.true(youngBytes() <= 4 * MB, `young generation after the second collection: ${Math.round(youngBytes() / MB)} MB`);
  t.true(kept > 0);
});

test("every collection also hands malloc's free memory back, and the process's size after it is the new baseline", (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  t.is(state.releases, 3, 'start-up: with each collection, and once more');
  t.is(state.rss, 100 * MB);
  t.is(compaction.windowEnded(), undefined, 'then nothing while nothing grows');
  state.committed = 190 * MB;
  state.rss = 400 * MB;
  t.deepEqual(compaction.windowEnded(), { collected: true, heap: { before: 190 * MB, after: 60 * MB }, rss: { before: 400 * MB, after: 100 * MB } });
  t.is(state.releases, 4);
  t.deepEqual(compaction.windowEnded(), { collected: true, heap: { before: 60 * MB, after: 60 * MB }, rss: { before: 100 * MB, after: 100 * MB } }, 'the second collection');
  state.rss = 140 * MB; // what V8 freed on its threads after the collection, held by malloc
  state.utilization = 0.3;
  t.is(compaction.windowEnded(), undefined, 'a busy window: the release waits');
  state.utilization = 0;
  t.deepEqual(compaction.windowEnded(), { collected: false, heap: { before: 60 * MB, after: 60 * MB }, rss: { before: 140 * MB, after: 100 * MB } }, 'released at the next idle window, though the process grew less than the slack');
  t.is(compaction.windowEnded(), undefined);
  t.deepEqual([state.collections, state.releases], [4, 6]);
});

test('a process that grew by the native slack while its heap did not is handed back without a collection, once per growth', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  state.rss = 100 * MB + NATIVE_SLACK_BYTES - 1;
  t.is(compaction.windowEnded(), undefined, 'less than the slack');
  state.rss = 100 * MB + NATIVE_SLACK_BYTES;
  state.utilization = 0.2;
  t.is(compaction.windowEnded(), undefined, 'never while busy');
  state.utilization = 0;
  t.deepEqual(compaction.windowEnded(), { collected: false, heap: { before: 60 * MB, after: 60 * MB }, rss: { before: 100 * MB + NATIVE_SLACK_BYTES, after: 100 * MB } });
  t.is(state.collections, 2, 'no collection for it');
  state.rssLive = 130 * MB; // what is left is live now (a cache): not handed back again and again
  state.rss = 150 * MB;
  t.truthy(compaction.windowEnded());
  t.is(state.rss, 130 * MB);
  t.is(compaction.windowEnded(), undefined);
  t.is(state.releases, 5, 'three at start-up, and one per growth');
});

test("where malloc cannot be trimmed, the process's growth alone changes nothing", (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.rss = 500 * MB;
  t.is(compaction.windowEnded(), undefined);
  state.committed = 100 * MB;
  t.like(compaction.windowEnded(), { collected: true });
  t.is(state.releases, 0);
});

test.serial('for real: memory that malloc kept after a burst of buffers, freed but scattered, goes back to the system when idle', async (t) => {
  const mib = (bytes: number) => Math.round(bytes / MB);
  // 100 MB in one kilobyte buffers, each its own malloc block; one in 64 stays alive, so malloc cannot return the rest
  // by shrinking its heaps' tops. Without a trim the process stays this size after any number of collections.
  const burst = () => Array.from({ length: 100_000 }, () => Buffer.allocUnsafeSlow(1000)).filter((_, i) => i % 64 === 0);
  const kept = burst();
  const peak = process.memoryUsage.rss();
  // V8 frees buffers' memory on a background thread after a collection, so it may reach malloc's free lists only by
  // the compaction's second window: wait for the process to be 64 MiB smaller than at the peak.
  const released = new Promise<Compacted | undefined>((resolve) => {
    const { stop, releasesNative } = compactWhenIdle(300, (compacted) => {
      if (compacted.rss.after > peak - 64 * MB) return;
      stop();
      resolve(compacted);
    });
    t.true(releasesNative, 'glibc and koffi, as on every machine and image we run on');
    setTimeout(() => {
      stop();
      resolve(undefined);
    }, 5_000);
  });
  const compacted = await released;
  t.truthy(compacted, `given back within the wait (peak ${mib(peak)} MiB, now ${mib(process.memoryUsage.rss())} MiB)`);
  t.true(compacted!.rss.after <= peak - 64 * MB, `${mib(peak)} → ${mib(compacted!.rss.after)} MiB resident`);
  t.is(kept.length, 1563);
});
