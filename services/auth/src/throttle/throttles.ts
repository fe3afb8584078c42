import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@vcd/errors';
import type { SlowdownPolicy } from '../domain/slowdown.js';
import { SlowdownGate } from './slowdown-gate.js';

interface Budget {
  points: number;
  durationSeconds: number;
}

/**
 * The throttling policy (docs/security.md, "Throttling policy"). "Account" is the normalized e-mail address the
 * client typed, never whether an account has it, so a refusal says nothing about accounts; "source" is the client
 * address the gateway determined (domain/client-ip.ts).
 */
export interface ThrottlePolicy {
  /** Password checks: logins, and the current password asked by PUT /api/user. */
  passwordChecks: { perAccountAndSource: Budget; perSource: Budget; perAccount: SlowdownPolicy };
  /** Password-reset requests (each may mail the address). */
  resetRequests: { perAccountAndSource: Budget; perSource: Budget; perAccount: SlowdownPolicy };
  registrationsPerSource: Budget;
  verificationMailsPerAccount: Budget;
  /** How long a source where the owner logged in stays exempt from the account-wide slowdown. */
  knownSourceDays: number;
}

/** A password check that was allowed; say how it went when it succeeded (failures need nothing: they are spent). */
export interface PasswordCheck {
  /**
   * `ownsAddress`: the account that matched owns the address (not one that only claims it). Only then are this
   * source's failures for the address forgotten, the attempt given back to the address-wide slowdown and the
   * source remembered as the owner's; a claimant's success gives back just its own (account, source) and source
   * points, so it cannot clear failures against the owner.
   */
  succeeded(ownsAddress: boolean): Promise<void>;
}

const LOGIN_REFUSED = 'AUTH.TOO_MANY_LOGIN_ATTEMPTS';
const REQUESTS_REFUSED = 'AUTH.TOO_MANY_REQUESTS';

/**
 * Throttles that an attacker can neither sidestep nor turn against the owner. Every attempt is paid for before
 * it is checked, in one atomic Redis operation (rate-limiter-flexible's Lua, or slowdown-gate.ts's), so parallel
 * requests cannot all slip through a read-then-write gap. Hard budgets are per (account, source) and per source;
 * the account as a whole is only slowed down (progressive delay), never locked, and sources where the owner
 * logged in are not slowed down at all. Counters live in Redis for every replica; if Redis fails, per-replica
 * in-memory limiters with the same budgets take over rather than letting everything through.
 */
export class Throttles {
  private readonly checkPair: RateLimiterRedis;
  private readonly checkSource: RateLimiterRedis;
  private readonly checkAccount: SlowdownGate;
  private readonly resetPair: RateLimiterRedis;
  private readonly resetSource: RateLimiterRedis;
  private readonly resetAccount: SlowdownGate;
  private readonly registrationSource: RateLimiterRedis;
  private readonly verificationAccount: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    private readonly policy: ThrottlePolicy,
    private readonly keyPrefix = 'vcd:auth',
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    const limiter = (name: string, b: Budget) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${keyPrefix}:${name}`,
        points: b.points,
        duration: b.durationSeconds,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:${name}:mem`, points: b.points, duration: b.durationSeconds }),
      });
    this.checkPair = limiter('login-pair', policy.passwordChecks.perAccountAndSource);
    this.checkSource = limiter('login-source', policy.passwordChecks.perSource);
    this.checkAccount = new SlowdownGate(redis, (account) => `${keyPrefix}:login-account:${account}`, policy.passwordChecks.perAccount);
    this.resetPair = limiter('reset-pair', policy.resetRequests.perAccountAndSource);
    this.resetSource = limiter('reset-source', policy.resetRequests.perSource);
    this.resetAccount = new SlowdownGate(redis, (account) => `${keyPrefix}:reset-account:${account}`, policy.resetRequests.perAccount);
    this.registrationSource = limiter('register-source', policy.registrationsPerSource);
    this.verificationAccount = limiter('verify-account', policy.verificationMailsPerAccount);
  }

  /**
   * Before checking a password for `account` from `source`: pays one attempt from the (account, source) and the
   * source budgets (429 once spent), then, unless the owner logged in from this source before, takes a slot of
   * the account's progressive delay and waits for it (429 with Retry-After when the slot is too far away).
   */
  async beginPasswordCheck(account: string, source: string): Promise<PasswordCheck> {
    const pairKey = pairOf(account, source);
    await consume(this.checkPair, pairKey, LOGIN_REFUSED);
    await consume(this.checkSource, source, LOGIN_REFUSED, () => refund(this.checkPair, pairKey));
    const known = await this.isKnownSource(account, source);
    if (!known) {
      const slot = await this.checkAccount.admit(account);
      if (!slot.admitted) {
        await Promise.all([refund(this.checkPair, pairKey), refund(this.checkSource, source)]);
        throw tooManyRequests(slot.retryAfterMs / 1000, LOGIN_REFUSED);
      }
      if (slot.waitMs > 0) await this.sleep(slot.waitMs);
    }
    return {
      succeeded: async (ownsAddress) => {
        await refund(this.checkSource, source); // successes do not count against a shared address
        if (!ownsAddress) {
          await refund(this.checkPair, pairKey);
          return;
        }
        await Promise.all([
          this.checkPair.delete(pairKey).catch(() => false),
          this.rememberSource(account, source),
          known ? undefined : this.checkAccount.refund(account),
        ]);
      },
    };
  }

  /** Before accepting a reset request: the same shape, without waiting (the answer is 202 or 429). */
  async consumeResetRequest(account: string, source: string): Promise<void> {
    const pairKey = pairOf(account, source);
    await consume(this.resetPair, pairKey, REQUESTS_REFUSED);
    await consume(this.resetSource, source, REQUESTS_REFUSED, () => refund(this.resetPair, pairKey));
    if (await this.isKnownSource(account, source)) return;
    const slot = await this.resetAccount.admit(account);
    if (!slot.admitted) {
      await Promise.all([refund(this.resetPair, pairKey), refund(this.resetSource, source)]);
      throw tooManyRequests(slot.retryAfterMs / 1000, REQUESTS_REFUSED);
    }
  }

  /** Every registration attempt that passed validation costs one point of its source's budget. */
  async consumeRegistration(source: string): Promise<void> {
    await consume(this.registrationSource, source, 'AUTH.TOO_MANY_REGISTRATIONS');
  }

  async consumeVerificationMail(accountId: string): Promise<void> {
    await consume(this.verificationAccount, accountId, REQUESTS_REFUSED);
  }

  /** Sources are remembered per address only after the owner of the address logged in from them. */
  private async rememberSource(account: string, source: string): Promise<void> {
    if (source === 'unknown') return;
    await this.redis.set(this.knownKey(account, source), '1', 'EX', this.policy.knownSourceDays * 86_400).catch(() => undefined);
  }

  private async isKnownSource(account: string, source: string): Promise<boolean> {
    if (source === 'unknown') return false;
    return (await this.redis.exists(this.knownKey(account, source)).catch(() => 0)) === 1;
  }

  private knownKey = (account: string, source: string) => `${this.keyPrefix}:known-source:${pairOf(account, source)}`;
}

/** Sources never contain "|", so "source|account" is unambiguous whatever the address holds. */
const pairOf = (account: string, source: string) => `${source}|${account}`;

async function consume(limiter: RateLimiterRedis, key: string, code: string, onRefused?: () => Promise<unknown>): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    await onRefused?.();
    throw tooManyRequests(err.msBeforeNext / 1000, code);
  }
}

const refund = async (limiter: RateLimiterRedis, key: string): Promise<void> => {
  await limiter.reward(key, 1).catch(() => undefined);
};
