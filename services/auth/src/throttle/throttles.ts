import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@vcd/errors';

export interface Budget {
  points: number;
  durationSeconds: number;
}

export interface ThrottleBudgets {
  loginFailuresPerAccount: Budget;
  loginFailuresPerIp: Budget;
  resetRequestsPerAccount: Budget;
  resetRequestsPerIp: Budget;
  verificationMailsPerAccount: Budget;
}

/**
 * Brute-force and mail-bombing limits shared by every replica (counters in Redis, rate-limiter-flexible's atomic
 * Lua scripts). Keys are what the client sent (the normalized e-mail), never whether an account exists, so a
 * limit hit says nothing about accounts. If Redis fails, a per-replica in-memory limiter with the same budget
 * takes over rather than letting everything through.
 */
export class Throttles {
  private readonly loginAccount: RateLimiterRedis;
  private readonly loginIp: RateLimiterRedis;
  private readonly resetAccount: RateLimiterRedis;
  private readonly resetIp: RateLimiterRedis;
  private readonly verificationAccount: RateLimiterRedis;

  constructor(redis: Redis, budgets: ThrottleBudgets, keyPrefix = 'vcd:auth') {
    const limiter = (name: string, b: Budget) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${keyPrefix}:${name}`,
        points: b.points,
        duration: b.durationSeconds,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:${name}:mem`, points: b.points, duration: b.durationSeconds }),
      });
    this.loginAccount = limiter('login-account', budgets.loginFailuresPerAccount);
    this.loginIp = limiter('login-ip', budgets.loginFailuresPerIp);
    this.resetAccount = limiter('reset-account', budgets.resetRequestsPerAccount);
    this.resetIp = limiter('reset-ip', budgets.resetRequestsPerIp);
    this.verificationAccount = limiter('verify-account', budgets.verificationMailsPerAccount);
  }

  /** Before checking a password: refuses (429) while the account or the IP has used its budget of failures. */
  async assertLoginAllowed(email: string, ip: string): Promise<void> {
    const [account, byIp] = await Promise.all([this.loginAccount.get(email), this.loginIp.get(ip)]);
    const waits = [
      account && account.consumedPoints >= this.loginAccount.points ? account.msBeforeNext : 0,
      byIp && byIp.consumedPoints >= this.loginIp.points ? byIp.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) throw tooManyRequests(wait / 1000, 'AUTH.TOO_MANY_LOGIN_ATTEMPTS');
  }

  /** Counts a failed login against the account and the IP. */
  async loginFailed(email: string, ip: string): Promise<void> {
    await Promise.all([this.loginAccount.consume(email).catch(swallowLimit), this.loginIp.consume(ip).catch(swallowLimit)]);
  }

  /** A successful login clears the account's failures (the IP's stay: one IP guessing many accounts). */
  async loginSucceeded(email: string): Promise<void> {
    await this.loginAccount.delete(email);
  }

  /** Counts a reset request; 429 once the address or the IP has used its budget. */
  async consumeResetRequest(email: string, ip: string): Promise<void> {
    await consumeBoth([
      [this.resetIp, ip],
      [this.resetAccount, email],
    ]);
  }

  async consumeVerificationMail(accountId: string): Promise<void> {
    await consumeBoth([[this.verificationAccount, accountId]]);
  }
}

const swallowLimit = (err: unknown) => {
  if (err instanceof RateLimiterRes) return; // already over: the next attempt is refused by assertLoginAllowed
  throw err;
};

async function consumeBoth(pairs: [RateLimiterRedis, string][]): Promise<void> {
  for (const [limiter, key] of pairs) {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooManyRequests(err.msBeforeNext / 1000, 'AUTH.TOO_MANY_REQUESTS');
      throw err;
    }
  }
}
