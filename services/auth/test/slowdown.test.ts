import test from 'ava';
import { admitAttempt, type SlowdownPolicy, type SlowdownState } from '../src/domain/slowdown.js';

const policy: SlowdownPolicy = { freeAttempts: 3, firstDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 2000, windowSeconds: 900 };

/** Runs attempts at the given times and tells what each got. */
function run(times: number[], p = policy) {
  let state: SlowdownState | undefined;
  return times.map((now) => {
    const d = admitAttempt(state, now, p);
    if (d.admitted) state = d.state;
    return d.admitted ? `wait ${d.waitMs}` : `retry in ${d.retryAfterMs}`;
  });
}

test('the free attempts go through at once, then attempts are spaced out with doubling delays; parallel ones do not go faster', (t) => {
  // Ten attempts arriving at the same moment: three free, then slots at +0, +1 s, (+3 s is too far).
  t.deepEqual(run(Array(6).fill(0)), ['wait 0', 'wait 0', 'wait 0', 'wait 0', 'wait 1000', 'retry in 1000']);
});

test('the delay doubles up to its maximum, and whoever comes at the slot is served: nothing is ever locked', (t) => {
  const times = [0, 0, 0, 0, 1000, 3000, 7000, 15_000, 23_000, 31_000];
  t.deepEqual(run(times), Array(times.length).fill('wait 0'));
  // At the maximum, slots stay 8 s apart: the next is at 39 s; at 32 s that is too far, at 37 s a 2 s wait.
  t.is(run([...times, 32_000]).at(-1), 'retry in 5000');
  t.is(run([...times, 37_000]).at(-1), 'wait 2000');
});

test('with no waiting allowed (password-reset mails), an early request is refused with the time to come back', (t) => {
  t.deepEqual(run([0, 0, 0, 0, 10, 1000], { ...policy, maxWaitMs: 0 }), ['wait 0', 'wait 0', 'wait 0', 'wait 0', 'retry in 990', 'wait 0']);
});
