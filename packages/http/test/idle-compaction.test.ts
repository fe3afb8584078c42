import test from 'ava';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compactWhenIdle, type Compacted, hugePageAdvisedRanges, IDLE_UTILIZATION, IdleCompaction, NATIVE_SLACK_BYTES, SLACK_BYTES, YOUNG_SLACK_BYTES } from '../src/idle-compaction.js';

const MB = 1024 * 1024;

/**
 * A heap, a process and an event loop on paper: `collect` leaves `live` bytes committed plus the young generation,
 * `young` (0 unless a test sets it; a collection leaves it as it is, as V8 does while its allocation rate is not
 * low); `releaseNative` leaves `rssLive` bytes resident.
 */
function fakeProcess(start: number, options: { native?: boolean } = {}) {
  const state = { committed: start + SLACK_BYTES, live: start, young: 0, rss: 200 * MB, rssLive: 100 * MB, utilization: 0, collections: 0, releases: 0 };
  const compaction = new IdleCompaction({
    utilization: () => state.utilization,
    heapCommitted: () => state.committed,
    youngCommitted: () => state.young,
    rss: () => state.rss,
    collect: () => {
      state.collections++;
      state.committed = state.live + state.young;
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

test('a young generation left at its load size is collected though the heap grew less than the slack, twice at most until a busy window', (t) => {
  const { state, compaction } = fakeProcess(60 * MB, { native: false });
  state.young = YOUNG_SLACK_BYTES - 1; // the old generation as the last compaction left it, the young one grown a little
  state.committed = 60 * MB + state.young;
  t.is(compaction.windowEnded(), undefined, 'a young generation under its slack is left alone');
  state.young = 10 * MB; // a load grew it, still within the heap's slack
  state.committed = 60 * MB + state.young;
  t.truthy(heapOf(compaction.windowEnded()), 'collected for the young generation');
  t.truthy(heapOf(compaction.windowEnded()), 'and once more (V8 kept it: its allocation rate was not low yet)');
  t.is(compaction.windowEnded(), undefined, 'then no more while V8 keeps it');
  t.is(compaction.windowEnded(), undefined);
  state.utilization = 0.5;
  t.is(compaction.windowEnded(), undefined, 'a busy window');
  state.utilization = 0;
  t.truthy(heapOf(compaction.windowEnded()), 'after it, another try');
  state.young = 1 * MB; // this time V8 shrank it
  state.committed = 61 * MB;
  t.is(compaction.windowEnded(), undefined, 'nothing once it is small');
  t.is(state.collections, 5);
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

test('the ranges advised for huge pages are read from smaps by their VmFlags', (t) => {
  const smaps = [
    '55d1c4a00000-55d1c8a00000 rw-p 00000000 00:00 0                          [heap]',
    'Size:              65536 kB',
    'AnonHugePages:     30720 kB',
    'VmFlags: rd wr mr mw me ac sd hg',
    '7f0a10000000-7f0a10200000 rw-p 00000000 00:00 0 ',
    'Size:               2048 kB',
    'VmFlags: rd wr mr mw me nr sd ',
    '7f0a20000000-7f0a21300000 rw-p 00000000 00:00 0 ',
    'VmFlags: rd wr mr mw me hg ac sd ',
    '7f0a30000000-7f0a30001000 r--p 00000000 08:01 42                         /usr/lib/x86_64-linux-gnu/libc.so.6',
    'VmFlags: rd mr mw me sd hgx nh',
    '',
  ].join('\n');
  t.deepEqual(hugePageAdvisedRanges(smaps), [
    { start: 0x55d1c4a00000, length: 0x4000000 },
    { start: 0x7f0a20000000, length: 0x1300000 },
  ]);
  t.deepEqual(hugePageAdvisedRanges(''), []);
});

test.serial('for real: with glibc advising its arenas for huge pages, the release takes that advice back, so khugepaged cannot refill what it trimmed', (t) => {
  const mode = (() => {
    try {
      return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  })();
  const child = fileURLToPath(new URL('./fixtures/huge-page-advice.ts', import.meta.url));
  type Range = { start: number; length: number };
  const hex = (ranges: Range[]) => ranges.map(({ start, length }) => `${start.toString(16)}+${length >> 20}M`).join(', ') || 'none';
  // Two arenas (several ranges to take back), and auth's own settings (one arena, a 128 MiB top pad).
  const settings = [
    { MALLOC_ARENA_MAX: '2' },
    { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TRIM_THRESHOLD_: '67108864', MALLOC_TOP_PAD_: '134217728' },
  ];
  for (const malloc of settings) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', ...malloc },
      encoding: 'utf8',
    });
    const { releases, before, after, kept } = JSON.parse(out) as { releases: boolean; before: Range[]; after: Range[]; kept: number };
    const label = `MALLOC_ARENA_MAX=${malloc.MALLOC_ARENA_MAX}`;
    t.true(releases, 'koffi and glibc');
    t.is(kept, 782);
    // What malloc maps or grows after the release (the smaps reads allocate too) is advised again, as it is meant to
    // be; a range advised before the release must no longer be advised where it begins.
    const stillAdvised = before.filter(({ start }) => after.some((a) => a.start <= start && start < a.start + a.length));
    t.deepEqual(stillAdvised, [], `${label}: advised before the release: ${hex(before)}; after it: ${hex(after)}`);
    // glibc advises only where the kernel's mode is "madvise" (this kind of machine; auth's deploy guide asks for it).
    if (mode === 'madvise') t.true(before.length > 0, `${label}: glibc advised its arenas before the release`);
    else t.log(`transparent huge pages are "${mode ?? 'absent'}" here: glibc advises nothing, so only "none left" is checked`);
  }
});
