import test from 'ava';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { compactWhenIdle, IDLE_UTILIZATION, IdleCompaction, SLACK_BYTES } from '../src/idle-compaction.js';

const MB = 1024 * 1024;

/** A heap and an event loop on paper: `collect` leaves `live` bytes committed (plus `young`, until a second collection). */
function fakeProcess(start: number) {
  const state = { committed: start + SLACK_BYTES, live: start, utilization: 0, collections: 0 };
  const compaction = new IdleCompaction({
    utilization: () => state.utilization,
    heapCommitted: () => state.committed,
    collect: () => {
      state.collections++;
      state.committed = state.live;
    },
  });
  // The first idle windows after start-up give its garbage back: a collection, and the second one.
  compaction.windowEnded();
  compaction.windowEnded();
  return { state, compaction };
}

test('after start-up, and after a load, two idle windows give the heap back: two collections, then nothing while the heap does not grow', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  t.is(state.collections, 2, 'start-up');
  t.is(state.committed, 60 * MB);
  t.is(compaction.windowEnded(), undefined, 'an idle heap that did not grow is left alone');
  state.committed = 190 * MB; // the load
  state.utilization = 0.9;
  t.is(compaction.windowEnded(), undefined, 'never while busy');
  state.utilization = 0.01;
  t.deepEqual(compaction.windowEnded(), { before: 190 * MB, after: 60 * MB });
  state.committed = 62 * MB; // what V8 keeps of its young generation until a collection after a quiet spell
  t.deepEqual(compaction.windowEnded(), { before: 62 * MB, after: 60 * MB }, 'the second collection, one window later');
  t.is(compaction.windowEnded(), undefined);
  t.is(state.collections, 4);
});

test('load between the two collections cancels the second', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  state.committed = 190 * MB;
  t.truthy(compaction.windowEnded());
  state.utilization = 0.5;
  t.is(compaction.windowEnded(), undefined);
  state.utilization = 0;
  t.is(compaction.windowEnded(), undefined, 'the heap did not grow by the slack since');
  t.is(state.collections, 3);
});

test('a heap that grew less than the slack, or a window busier than 5 %, is left alone', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  state.committed = 60 * MB + SLACK_BYTES - 1;
  t.is(compaction.windowEnded(), undefined);
  state.committed = 60 * MB + SLACK_BYTES;
  state.utilization = 0.06;
  t.is(compaction.windowEnded(), undefined);
  state.utilization = IDLE_UTILIZATION;
  t.truthy(compaction.windowEnded(), 'at 5 % and the slack exactly: compacted');
});

test('what the last compaction left is the baseline: a cache that really grew does not cause a collection per window', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
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

test('for real: garbage left by a burst of work is collected after one idle window, without --expose-gc', async (t) => {
  t.is((globalThis as { gc?: unknown }).gc, undefined, 'this process runs without --expose-gc');
  let resolveCompacted!: (bytes: { before: number; after: number } | undefined) => void;
  const result = new Promise<{ before: number; after: number } | undefined>((resolve) => (resolveCompacted = resolve));
  const stop = compactWhenIdle(300, resolveCompacted); // as a service does at start, before its load
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
  const stop = compactWhenIdle(0, () => t.fail());
  t.is(typeof stop, 'function');
  stop();
});

test('for real: the second collection, after a quiet window of more than 5 s, gives the young generation back too', async (t) => {
  const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
  const compactions: { before: number; after: number }[] = [];
  let second!: () => void;
  const done = new Promise<void>((resolve) => (second = resolve));
  const stop = compactWhenIdle(5_500, (bytes) => {
    compactions.push(bytes);
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
