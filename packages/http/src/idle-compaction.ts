import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The share of a window the event loop may be busy and still count as idle (timers, probes, metrics scrapes, relays polling). */
export const IDLE_UTILIZATION = 0.05;
/** Heap committed beyond what the last compaction left, below which a compaction is not worth its pause. */
export const SLACK_BYTES = 24 * 1024 * 1024;

/**
 * When to give a busy period's heap back (ADR 20, fifth addendum): at the end of a window in which the event loop
 * was idle, if V8 holds at least SLACK_BYTES more heap than the last compaction left, one full collection (the old
 * generation's garbage), and a second one window later if the service is still idle: V8 shrinks its young generation
 * (up to 32 MB) only at a collection that follows seconds of a low allocation rate. V8's own memory reducer does the
 * same, but only when its heuristics fire, which after a long load took more than 45 s or did not happen at all.
 * Pure: the readings and the collection are given.
 */
export class IdleCompaction {
  /** The heap the last compaction left; none yet, so the first idle window also gives start-up's garbage back. */
  private baseline = 0;
  /** A compaction's second collection is due at the next idle window. */
  private secondDue = false;

  constructor(private readonly readings: { utilization: () => number; heapCommitted: () => number; collect: () => void }) {}

  /** One window ended: compacts if it was idle and the heap grew enough since the last compaction. Returns the bytes before and after, if it did. */
  windowEnded(): { before: number; after: number } | undefined {
    const utilization = this.readings.utilization();
    const before = this.readings.heapCommitted();
    // A heap that shrank by itself (V8's reducer) is the new baseline: the next compaction is measured from there.
    if (before < this.baseline) this.baseline = before;
    if (utilization > IDLE_UTILIZATION) {
      this.secondDue = false;
      return undefined;
    }
    if (!this.secondDue && before - this.baseline < SLACK_BYTES) return undefined;
    this.secondDue = !this.secondDue;
    this.readings.collect();
    this.baseline = this.readings.heapCommitted();
    return { before, after: this.baseline };
  }
}

/**
 * V8's full collection as a function: `gc` when the process runs with --expose-gc, otherwise the same function
 * exposed at run time (V8 gives it to contexts created after the flag is set). Undefined if neither works.
 */
function fullCollection(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks every `windowMs` whether the service has been idle and holds a load's garbage, and then runs one full
 * collection (a pause of tens of milliseconds, only when nothing else runs). `windowMs` 0: off. Returns a stop function.
 */
export function compactWhenIdle(windowMs: number, onCompacted: (bytes: { before: number; after: number }) => void): () => void {
  // Off means untouched: V8's flags are changed only when the compaction runs.
  const collect = windowMs > 0 ? fullCollection() : undefined;
  if (!collect) return () => undefined;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const compaction = new IdleCompaction({
    utilization: () => {
      const now = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(now, last);
      last = now;
      return utilization;
    },
    heapCommitted: () => getHeapStatistics().total_heap_size,
    collect,
  });
  const timer = setInterval(() => {
    const done = compaction.windowEnded();
    if (done) onCompacted(done);
  }, windowMs);
  timer.unref();
  return () => clearInterval(timer);
}
