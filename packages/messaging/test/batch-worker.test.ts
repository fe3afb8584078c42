import test from 'ava';
import fc from 'fast-check';
import { BatchWorker } from '../src/batch-worker.js';

/**
 * BatchWorker: the drain loop under the outbox relay and auth's mail relay. Its contract: notify() drains at once;
 * a drain takes batches while they complete work and ends at the first that completes none; at most one batch runs
 * at a time, and a notify during a drain schedules exactly one more drain (so work queued then is never left
 * behind); a failing batch goes to onError and ends only that drain; start() drains now and every pollMs on an
 * unref'd timer; stop() waits for the batch in flight and nothing runs after it.
 */

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}
const deferred = <T>(): Deferred<T> => {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `cond` holds (at most `ms`). */
async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

/** A worker whose batches answer from a script: each call takes the next step (a count, an error, or a deferred). */
class ScriptedWorker extends BatchWorker {
  calls = 0;
  active = 0;
  maxActive = 0;
  errors: unknown[] = [];
  /** Each batch's deferred, in call order, for tests that hold batches open. */
  held: Deferred<number>[] = [];

  constructor(
    private readonly step: (call: number, worker: ScriptedWorker) => number | Promise<number>,
    pollMs = 60_000,
  ) {
    super(pollMs, (err) => this.errors.push(err));
  }

  protected async processBatch(): Promise<number> {
    const call = ++this.calls;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.step(call, this);
    } finally {
      this.active--;
    }
  }

  /** A step that holds every batch open until the test settles it. */
  static holding(): ScriptedWorker {
    return new ScriptedWorker((_call, w) => {
      const d = deferred<number>();
      w.held.push(d);
      return d.promise;
    });
  }
}

test('a drain takes batches while they complete work and ends at the first that completes none', async (t) => {
  const counts = [3, 1, 5, 0, 7];
  const worker = new ScriptedWorker((call) => counts[call - 1] ?? 0);
  worker.notify();
  await until(() => worker.calls >= 4);
  await sleep(20);
  t.is(worker.calls, 4, 'three batches with work, then the empty one; the 7 is never asked for');
  await worker.stop();
  t.deepEqual(worker.errors, []);
});

test('a batch answering a negative count or NaN ends the drain like 0', async (t) => {
  for (const answer of [-1, Number.NaN, -Infinity]) {
    const worker = new ScriptedWorker((call) => (call === 1 ? answer : 0));
    worker.notify();
    await sleep(10);
    t.is(worker.calls, 1, String(answer));
    await worker.stop();
  }
});

test('notify starts a drain at once, without waiting for a poll', async (t) => {
  const worker = new ScriptedWorker(() => 0, 60_000);
  worker.notify();
  t.is(worker.calls, 1, 'the first batch is asked for synchronously');
  await worker.stop();
});

test('never two batches at once: notifies during a batch coalesce into exactly one more drain', async (t) => {
  const worker = ScriptedWorker.holding();
  worker.notify();
  for (let i = 0; i < 50; i++) worker.notify();
  await tick();
  t.is(worker.calls, 1, 'no second batch while the first runs');
  worker.held[0]!.resolve(0); // the first drain ends empty…
  await until(() => worker.calls === 2); // …and one more drain starts for the notifies it missed
  t.is(worker.active, 1);
  worker.held[1]!.resolve(0);
  await tick();
  await sleep(20);
  t.is(worker.calls, 2, 'fifty notifies made one more drain, not fifty');
  t.is(worker.maxActive, 1);
  await worker.stop();
});

test('a notify that arrives while the last (empty) batch runs is not lost', async (t) => {
  // The race a relay has: its query found nothing, a commit queues an event and notifies before the drain returns.
  let queued = 0;
  let processed = 0;
  const first = deferred<number>();
  const worker = new ScriptedWorker(async (call) => {
    if (call === 1) {
      await first.promise; // saw an empty queue, and is about to say so
      return 0;
    }
    const n = queued;
    queued = 0;
    processed += n;
    return n;
  });
  worker.notify();
  queued = 1;
  worker.notify();
  first.resolve(0);
  await until(() => processed === 1);
  await worker.stop();
  t.is(processed, 1);
  t.is(worker.maxActive, 1);
});

test('any interleaving of enqueues, notifies and batch completions: each item once, in order, one batch at a time (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), async (s, bursts, batchSize) => {
      const queue: number[] = [];
      const done: number[] = [];
      let next = 0;
      let active = 0;
      let maxActive = 0;
      const errors: unknown[] = [];
      class QueueWorker extends BatchWorker {
        constructor() {
          super(60_000, (err) => errors.push(err));
        }
        protected async processBatch(): Promise<number> {
          active++;
          maxActive = Math.max(maxActive, active);
          const batch = queue.splice(0, batchSize); // what a relay's claim query sees now
          await s.schedule(Promise.resolve(), `batch of ${batch.length}`);
          done.push(...batch);
          active--;
          return batch.length;
        }
      }
      const worker = new QueueWorker();
      // Each burst is a commit that queues some items and then notifies, at a moment the scheduler picks.
      for (const size of bursts) {
        void s.schedule(Promise.resolve(), `commit of ${size}`).then(() => {
          for (let i = 0; i < size; i++) queue.push(next++);
          worker.notify();
        });
      }
      await s.waitIdle();
      await worker.stop();
      t.deepEqual(errors, []);
      t.deepEqual(queue, [], 'nothing left behind');
      t.deepEqual(done, Array.from({ length: next }, (_, i) => i), 'each item once, in queue order');
      t.true(maxActive <= 1, `at most one batch at a time (saw ${maxActive})`);
    }),
    { numRuns: 300 },
  );
});

test('a failing batch goes to onError and ends only that drain; the next notify drains again', async (t) => {
  const boom = new Error('sidecar down');
  const worker = new ScriptedWorker((call) => {
    if (call === 2) throw boom;
    return call === 1 || call === 3 ? 1 : 0;
  });
  worker.notify();
  await until(() => worker.errors.length === 1);
  t.is(worker.errors[0], boom);
  t.is(worker.calls, 2, 'the drain stopped at the failure');
  worker.notify();
  await until(() => worker.calls === 4);
  await worker.stop();
  t.is(worker.calls, 4, 'a batch with work, then the empty one');
  t.is(worker.errors.length, 1);
});

test('errors of any kind (rejections, synchronous throws, non-Errors) reach onError as thrown and escape nowhere else', async (t) => {
  const thrown: unknown[] = [new TypeError('x'), 'a string', 42, undefined, null, { code: 'E' }];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => process.off('unhandledRejection', onUnhandled));
  for (const value of thrown) {
    const rejecting = new ScriptedWorker(() => Promise.reject(value));
    t.notThrows(() => rejecting.notify());
    await rejecting.stop();
    t.deepEqual(rejecting.errors, [value]);

    class SyncThrower extends BatchWorker {
      errors: unknown[] = [];
      constructor() {
        super(60_000, (err) => this.errors.push(err));
      }
      protected processBatch(): Promise<number> {
        throw value; // not even a rejected promise
      }
    }
    const sync = new SyncThrower();
    t.notThrows(() => sync.notify());
    await sync.stop();
    t.deepEqual(sync.errors, [value]);
  }
  await sleep(10);
  t.deepEqual(unhandled, []);
});

test('a notify during a batch that then fails still gets its drain', async (t) => {
  const worker = ScriptedWorker.holding();
  worker.notify();
  worker.notify(); // work queued while the first batch runs
  worker.held[0]!.reject(new Error('transient'));
  await until(() => worker.calls === 2);
  worker.held[1]!.resolve(0);
  await worker.stop();
  t.is(worker.errors.length, 1);
  t.is(worker.calls, 2);
});

test('start drains at once and then every pollMs without any notify; stop ends the polling', async (t) => {
  const worker = new ScriptedWorker(() => 0, 15);
  worker.start();
  t.is(worker.calls, 1, 'the first drain is immediate');
  await until(() => worker.calls >= 4);
  await worker.stop();
  const after = worker.calls;
  await sleep(80);
  t.is(worker.calls, after, 'no poll after stop');
});

test.serial('the poll timer does not keep the process alive (it is unref\'d)', async (t) => {
  const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = refedTimers();
  const worker = new ScriptedWorker(() => 0, 60_000);
  worker.start();
  t.is(refedTimers(), before);
  await worker.stop();
});

test('stop waits for the batch in flight, and no batch starts after it, even when that batch found work', async (t) => {
  const worker = ScriptedWorker.holding();
  worker.notify();
  worker.notify(); // a pending re-drain, which stop must cancel too
  let stopped = false;
  const stopping = worker.stop().then(() => (stopped = true));
  await sleep(20);
  t.false(stopped, 'stop is still waiting for the batch');
  worker.held[0]!.resolve(10); // it completed work: a running drain would ask again
  await stopping;
  t.is(worker.calls, 1);
  t.is(worker.active, 0);
  await sleep(20);
  t.is(worker.calls, 1, 'neither the drain loop nor the pending notify went on');
});

test('stop resolves when the batch in flight fails (the error goes to onError, stop does not reject)', async (t) => {
  const worker = ScriptedWorker.holding();
  worker.notify();
  const stopping = worker.stop();
  worker.held[0]!.reject(new Error('during shutdown'));
  await t.notThrowsAsync(stopping);
  t.is(worker.errors.length, 1);
});

test('after stop, notify does nothing; stop is idempotent and fine before any start', async (t) => {
  const idle = new ScriptedWorker(() => 0);
  await t.notThrowsAsync(idle.stop());
  await t.notThrowsAsync(idle.stop());
  idle.notify();
  await sleep(10);
  t.is(idle.calls, 0);
});

test('start after stop runs again', async (t) => {
  const worker = new ScriptedWorker(() => 0, 60_000);
  worker.start();
  await worker.stop();
  t.is(worker.calls, 1);
  worker.start();
  await until(() => worker.calls === 2);
  worker.notify();
  await until(() => worker.calls === 3);
  await worker.stop();
  t.is(worker.maxActive, 1);
});
