/**
 * Progressive delay for one account (OWASP: slow guessing down instead of locking the owner out). The first
 * `freeAttempts` go through at once; after that, attempts are spaced out: each admitted attempt pushes the
 * earliest time of the next one by `firstDelayMs`, doubling each time up to `maxDelayMs`. An attempt whose slot is
 * at most `maxWaitMs` away is admitted and waits for it; a later one is refused with the time to come back. Nothing
 * is ever locked: every caller gets a slot, and slots are shared, so parallel attempts do not go faster. The state
 * resets after `windowSeconds` without an admitted attempt.
 *
 * This is the reference the Redis script in throttle/slowdown-gate.ts implements atomically, and the fallback
 * used while Redis is unreachable.
 */
export interface SlowdownPolicy {
  freeAttempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  maxWaitMs: number;
  windowSeconds: number;
}

export interface SlowdownState {
  /** Attempts admitted since the state was last reset. */
  attempts: number;
  /** Epoch milliseconds before which the next attempt beyond the free ones is not checked. */
  nextAt: number;
}

export type SlowdownDecision = { admitted: true; waitMs: number; state: SlowdownState } | { admitted: false; retryAfterMs: number };

export function admitAttempt(state: SlowdownState | undefined, now: number, policy: SlowdownPolicy): SlowdownDecision {
  const { attempts, nextAt } = state ?? { attempts: 0, nextAt: 0 };
  if (attempts < policy.freeAttempts) return { admitted: true, waitMs: 0, state: { attempts: attempts + 1, nextAt } };
  const slot = Math.max(now, nextAt);
  const waitMs = slot - now;
  if (waitMs > policy.maxWaitMs) return { admitted: false, retryAfterMs: waitMs - policy.maxWaitMs };
  return { admitted: true, waitMs, state: { attempts: attempts + 1, nextAt: slot + delayAfter(attempts - policy.freeAttempts, policy) } };
}

/** The spacing after the `k`-th attempt beyond the free ones (0-based). */
const delayAfter = (k: number, policy: SlowdownPolicy) => Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(k, 40));
