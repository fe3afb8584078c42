import test from 'ava';
import { getHeapStatistics } from 'node:v8';
import { compactWhenIdle, IdleCompaction, SLACK_BYTES } from '../src/idle-compaction.js';

const MB = 1024 * 1024;

/** A heap and an event loop on paper: `collect` leaves `live` bytes committed. */
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
  compaction.windowEnded(); // the first idle window after start-up gives its garbage back
  return { state, compaction };
}

test('the first idle window gives start-up\'s garbage back; one after a load gives the load\'s heap back, once', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  t.is(state.collections, 1, 'start-up');
  t.is(state.committed, 60 * MB);
  state.committed = 190 * MB; // the load
  state.utilization = 0.9;
  t.is(compaction.windowEnded(), undefined, 'never while busy');
  state.utilization = 0.01;
  t.deepEqual(compaction.windowEnded(), { before: 190 * MB, after: 60 * MB });
  t.is(compaction.windowEnded(), undefined, 'an idle heap that did not grow is left alone');
  t.is(state.collections, 2);
});

test('a heap that grew less than the slack, or a window busier than 2 %, is left alone', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  state.committed = 60 * MB + SLACK_BYTES - 1;
  t.is(compaction.windowEnded(), undefined);
  state.committed = 60 * MB + SLACK_BYTES;
  state.utilization = 0.03;
  t.is(compaction.windowEnded(), undefined);
  state.utilization = 0.02;
  t.truthy(compaction.windowEnded(), 'at 2 % and the slack exactly: compacted');
});

test('what the last compaction left is the baseline: a cache that really grew does not cause a collection per window', (t) => {
  const { state, compaction } = fakeProcess(60 * MB);
  state.live = 100 * MB; // the service now keeps 40 MB more
  state.committed = 150 * MB;
  t.truthy(compaction.windowEnded());
  t.is(state.committed, 100 * MB);
  for (let i = 0; i < 5; i++) t.is(compaction.windowEnded(), undefined);
  state.committed = 90 * MB; // V8 shrank it by itself
  t.is(compaction.windowEnded(), undefined);
  state.committed = 90 * MB + SLACK_BYTES;
  t.truthy(compaction.windowEnded(), 'measured from the smaller heap');
  t.is(state.collections, 3);
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
