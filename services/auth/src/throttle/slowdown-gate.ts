import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { admitAttempt, type SlowdownPolicy, type SlowdownState } from '../domain/slowdown.js';

export type GateDecision = { admitted: true; waitMs: number } | { admitted: false; retryAfterMs: number };

/**
 * domain/slowdown.ts's admitAttempt as one Redis script: read, decide and write happen atomically, so parallel
 * attempts (and replicas) each get their own slot. Redis's clock is the one clock. Hash fields: a = attempts,
 * n = nextAt (epoch ms).
 */
const SCRIPT = `
local free, first, maxDelay, maxWait, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local attempts = tonumber(redis.call('HGET', KEYS[1], 'a') or '0')
local nextAt = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if attempts < free then
  redis.call('HSET', KEYS[1], 'a', attempts + 1, 'n', string.format('%d', nextAt))
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return {1, 0}
end
local slot = math.max(now, nextAt)
local wait = slot - now
if wait > maxWait then return {0, wait - maxWait} end
local delay = math.min(maxDelay, first * 2 ^ math.min(attempts - free, 40))
redis.call('HSET', KEYS[1], 'a', attempts + 1, 'n', string.format('%d', slot + delay))
redis.call('PEXPIRE', KEYS[1], windowMs + wait)
return {1, wait}
`;

/** Gives one admitted attempt back (the owner's own success), never below zero and never creating state. */
const REFUND = `
local a = tonumber(redis.call('HGET', KEYS[1], 'a') or '0')
if a > 0 then redis.call('HSET', KEYS[1], 'a', a - 1) end
return a
`;

export class SlowdownGate {
  /** Per-replica state while Redis cannot answer: each entry lives as long as Redis would keep it. */
  private readonly fallback = new LRUCache<string, SlowdownState>({ max: 10_000 });

  constructor(
    private readonly redis: Redis,
    private readonly key: (subject: string) => string,
    readonly policy: SlowdownPolicy,
  ) {}

  /** Takes the next slot for `subject`, or says how long until one is near enough. */
  async admit(subject: string): Promise<GateDecision> {
    const p = this.policy;
    try {
      const [admitted, ms] = (await this.redis.eval(SCRIPT, 1, this.key(subject), p.freeAttempts, p.firstDelayMs, p.maxDelayMs, p.maxWaitMs, p.windowSeconds * 1000)) as [number, number];
      return admitted === 1 ? { admitted: true, waitMs: ms } : { admitted: false, retryAfterMs: ms };
    } catch {
      return this.admitInMemory(subject);
    }
  }

  /** The attempt turned out to be the owner's: it does not count towards the address's free attempts. */
  async refund(subject: string): Promise<void> {
    try {
      await this.redis.eval(REFUND, 1, this.key(subject));
    } catch {
      const state = this.fallback.get(subject);
      if (state && state.attempts > 0) this.fallback.set(subject, { ...state, attempts: state.attempts - 1 }, { noUpdateTTL: true });
    }
  }

  /**
   * While Redis is unreachable (or too slow to answer): the same rule per replica, minus the free attempts. A
   * command that timed out may still have taken its slot in Redis, and an attacker who can slow Redis down must not
   * get a fresh set of free guesses per replica: every attempt here is spaced out from the first.
   */
  private admitInMemory(subject: string): GateDecision {
    const start: SlowdownState = { attempts: this.policy.freeAttempts, nextAt: 0 };
    const decision = admitAttempt(this.fallback.get(subject) ?? start, Date.now(), this.policy);
    if (decision.admitted) this.fallback.set(subject, decision.state, { ttl: decision.waitMs + this.policy.windowSeconds * 1000 });
    return decision.admitted ? { admitted: true, waitMs: decision.waitMs } : decision;
  }
}
