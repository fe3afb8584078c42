import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The share of a window the event loop may be busy and still count as idle (timers, probes, metrics scrapes, relays polling). */
export const IDLE_UTILIZATION = 0.05;
/** Heap committed beyond what the last compaction left, below which a compaction is not worth its pause. */
export const SLACK_BYTES = 12 * 1024 * 1024;
/**
 * A young generation at least this large in an idle window is a load's (V8 grows it up to 32 MB under load, from
 * 1 MB, and shrinks it only at a collection after a quiet spell), worth a collection even when the heap as a whole
 * did not grow by the slack since the last compaction.
 */
export const YOUNG_SLACK_BYTES = 8 * 1024 * 1024;
/** Collections for the young generation alone, at most, until a busy window: where V8 keeps it large, the compaction stops asking. */
export const YOUNG_ATTEMPTS = 2;
/** Resident memory beyond what the last release left, from which an idle window also hands malloc's free memory back. */
export const NATIVE_SLACK_BYTES = 16 * 1024 * 1024;

/** What one idle window did: a full collection (and the heap before and after), and the process's resident bytes before and after. */
export interface Compacted {
  collected: boolean;
  heap: { before: number; after: number };
  rss: { before: number; after: number };
}

/**
 * When to give a busy period's memory back (ADR 20, fifth and sixth addenda): at the end of a window in which the
 * event loop was idle,
 * - if V8 holds at least SLACK_BYTES more heap than the last compaction left: one full collection (the old
 *   generation's garbage), and a second one at the next idle window (a busy one in between postpones it): V8
 *   shrinks its young generation (up to 32 MB) only at a collection that follows seconds of a low allocation rate
 *   (a service still draining a backlog after a load may not be idle for a while). V8's own memory
 *   reducer does the same, but only when its heuristics fire, which after a long load took more than 45 s or did not
 *   happen at all;
 * - if the young generation is still YOUNG_SLACK_BYTES or more, though the heap did not grow by the slack (a load that
 *   grew the young generation while the old one stayed within the slack of the last compaction: measured after a
 *   10-minute load, a young generation of 32 MB still there 45 s later): a collection, at most YOUNG_ATTEMPTS until
 *   the next busy window;
 * - with each such collection and once more at the next idle window (V8 frees buffers' memory on a background thread
 *   after a collection, so some reaches malloc only later), or when the process is NATIVE_SLACK_BYTES more resident
 *   than the last release left: malloc's free memory back to the system (glibc keeps what a load freed in its
 *   arenas, returning only their tops).
 * Pure: the readings, the collection and the release are given.
 */
export class IdleCompaction {
  /** The heap the last compaction left; none yet, so the first idle window also gives start-up's garbage back. */
  private baseline = 0;
  /** The resident bytes the last release left. */
  private rssBaseline = 0;
  /** A compaction's second collection is due at the next idle window. */
  private secondDue = false;
  /** A release is due at the next idle window: what a collection freed may reach malloc after it. */
  private releaseDue = false;
  /** Collections for the young generation alone since the last busy window. */
  private youngAttempts = 0;

  constructor(
    private readonly readings: {
      utilization: () => number;
      heapCommitted: () => number;
      /** The young generation's committed bytes (part of heapCommitted). */
      youngCommitted: () => number;
      rss: () => number;
      collect: () => void;
      /** Hands malloc's free memory back to the system; absent where that cannot be done. */
      releaseNative?: () => void;
    },
  ) {}

  /** One window ended: compacts if it was idle and the heap or the process grew enough since the last compaction. Returns what it did, if anything. */
  windowEnded(): Compacted | undefined {
    const utilization = this.readings.utilization();
    const before = this.readings.heapCommitted();
    const rssBefore = this.readings.rss();
    // A heap (or process) that shrank by itself is the new baseline: the next compaction is measured from there.
    if (before < this.baseline) this.baseline = before;
    if (rssBefore < this.rssBaseline) this.rssBaseline = rssBefore;
    if (utilization > IDLE_UTILIZATION) {
      this.youngAttempts = 0;
      return undefined;
    }
    const grown = before - this.baseline >= SLACK_BYTES;
    const youngLeft = !grown && !this.secondDue && this.youngAttempts < YOUNG_ATTEMPTS && this.readings.youngCommitted() >= YOUNG_SLACK_BYTES;
    if (youngLeft) this.youngAttempts++;
    const collect = grown || this.secondDue || youngLeft;
    const release = this.readings.releaseNative !== undefined && (collect || this.releaseDue || rssBefore - this.rssBaseline >= NATIVE_SLACK_BYTES);
    if (!collect && !release) return undefined;
    if (collect) {
      // A collection for a grown heap is followed by a second one; the second by none.
      this.secondDue = grown;
      this.readings.collect();
      this.baseline = this.readings.heapCommitted();
    }
    this.releaseDue = collect;
    if (release) this.readings.releaseNative!();
    this.rssBaseline = this.readings.rss();
    return { collected: collect, heap: { before, after: collect ? this.baseline : before }, rss: { before: rssBefore, after: this.rssBaseline } };
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

/** madvise(2)'s advice to leave a range in normal pages, and out of khugepaged's reach. */
const MADV_NOHUGEPAGE = 15;

/**
 * The address ranges of `/proc/<pid>/smaps` text advised for transparent huge pages (`hg` in VmFlags): with
 * `glibc.malloc.hugetlb=1` (auth, for its argon2id blocks) glibc advises its arenas too.
 */
export function hugePageAdvisedRanges(smaps: string): { start: number; length: number }[] {
  const ranges: { start: number; length: number }[] = [];
  let current: { start: number; length: number } | undefined;
  for (const line of smaps.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) current = { start: parseInt(range[1]!, 16), length: parseInt(range[2]!, 16) - parseInt(range[1]!, 16) };
    else if (current && line.startsWith('VmFlags:') && / hg(?= |$)/.test(line.trimEnd())) ranges.push(current);
  }
  return ranges;
}

/**
 * malloc's free memory back to the system, as a function, through koffi (a maintained FFI with prebuilt binaries,
 * so no compiler in any image): glibc's `malloc_trim(0)` returns every arena's free pages, not only each arena's
 * top. Where glibc advises its arenas for huge pages (`glibc.malloc.hugetlb=1`), the kernel's khugepaged would fill
 * the trimmed holes back in while the service idles (measured: +60 MiB in a minute), so that advice is taken back
 * first (`madvise(MADV_NOHUGEPAGE)`; what malloc maps later, such as the next argon2id block, is advised again).
 * Undefined where there is no glibc (another libc, another OS) or koffi cannot load; the compaction then only collects.
 */
export function nativeRelease(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const trim = libc.func('int malloc_trim(size_t pad)') as (pad: number) => number;
    const madvise = libc.func('int madvise(uintptr_t addr, size_t length, int advice)') as (addr: number, length: number, advice: number) => number;
    const hugePages = /(^|:)glibc\.malloc\.hugetlb=1(:|$)/.test(env.GLIBC_TUNABLES ?? '');
    return () => {
      if (hugePages) for (const { start, length } of hugePageAdvisedRanges(readFileSync('/proc/self/smaps', 'utf8'))) madvise(start, length, MADV_NOHUGEPAGE);
      trim(0);
    };
  } catch {
    return undefined;
  }
}

/**
 * Checks every `windowMs` whether the service has been idle and holds a load's garbage or malloc's free memory, and
 * then gives it back (a pause of tens of milliseconds, only when nothing else runs). `windowMs` 0: off. Returns a
 * stop function, and whether malloc's free memory is handed back too (glibc, koffi loaded).
 */
export function compactWhenIdle(windowMs: number, onCompacted: (compacted: Compacted) => void): { stop: () => void; releasesNative: boolean } {
  // Off means untouched: V8's flags are changed, and koffi loaded, only when the compaction runs.
  const collect = windowMs > 0 ? fullCollection() : undefined;
  if (!collect) return { stop: () => undefined, releasesNative: false };
  const releaseNative = nativeRelease();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const compaction = new IdleCompaction({
    utilization: () => {
      const now = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(now, last);
      last = now;
      return utilization;
    },
    heapCommitted: () => getHeapStatistics().total_heap_size,
    youngCommitted: () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
    rss: () => process.memoryUsage.rss(),
    collect,
    releaseNative,
  });
  const timer = setInterval(() => {
    const done = compaction.windowEnded();
    if (done) onCompacted(done);
  }, windowMs);
  timer.unref();
  return { stop: () => clearInterval(timer), releasesNative: releaseNative !== undefined };
}
