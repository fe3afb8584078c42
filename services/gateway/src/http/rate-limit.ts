import type { Context, Next } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@vcd/errors';
import { sourceKey, type Identity } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { budgetsFor, type Budget, type Budgets } from '../domain/rate-limit-policy.js';
import { resolvedRoute } from './public-routes.js';
import { counter } from '@vcd/telemetry';

const rejectionCounter = counter('gateway_rate_limit_rejections_total', 'Requests refused with 429 by the gateway, by budget', ['budget']);

/**
 * Rate limits on Redis (shared by every gateway replica); a request spends all its budgets at once (a request over
 * one budget has spent the others too), with an in-memory limiter as insurance while Redis
 * is unreachable. Every response carries RateLimit-Policy/RateLimit headers for its tightest budget; a
 * rejected request gets 429 with Retry-After.
 */
export function rateLimit(options: { redis: Redis; budgets: Budgets; clientIp: (ctx: Context) => string; logger: Logger; prefix?: string }) {
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (b: Budget) => {
    let l = limiters.get(b.name);
    if (!l) {
      l = new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: `${options.prefix ?? 'gw:rl'}:${b.name}`,
        points: b.points,
        duration: b.durationSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: b.points, duration: b.durationSeconds }),
      });
      limiters.set(b.name, l);
    }
    return l;
  };

  return async function limitRequests(ctx: Context, next: Next) {
    const identity = ctx.state.identity as Identity | undefined;
    // Keyed like auth keys it: an IPv6 client by its /64, so rotating addresses in one subnet buys nothing.
    const address = options.clientIp(ctx);
    const spend = budgetsFor({ route: resolvedRoute(ctx)?.key, ip: sourceKey(address) ?? address, userId: identity?.userId }, options.budgets);
    let tightest: { budget: Budget; res: RateLimiterRes } | undefined;
    // Every budget at once (one pipelined write to Redis with the gateway's auto-pipelining client), judged in order.
    const outcomes = await Promise.allSettled(spend.map(({ budget, key }) => limiterFor(budget).consume(key)));
    for (const [i, { budget }] of spend.entries()) {
      const outcome = outcomes[i]!;
      try {
        if (outcome.status === 'rejected') throw outcome.reason;
        const res = outcome.value;
        if (!tightest || res.remainingPoints / budget.points < tightest.res.remainingPoints / tightest.budget.points) tightest = { budget, res };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          ctx.set('RateLimit-Policy', `"${budget.name}";q=${budget.points};w=${budget.durationSeconds}`);
          ctx.set('RateLimit', `"${budget.name}";r=0;t=${Math.ceil(rejection.msBeforeNext / 1000)}`);
          rejectionCounter.inc({ budget: budget.name });
          throw tooManyRequests(rejection.msBeforeNext / 1000, `RATE_LIMITED.${budget.name.toUpperCase().replace(/-/g, '_')}`);
        }
        options.logger.warn({ err: rejection, budget: budget.name }, 'rate limiter unavailable; request allowed');
      }
    }
    if (tightest) {
      ctx.set('RateLimit-Policy', `"${tightest.budget.name}";q=${tightest.budget.points};w=${tightest.budget.durationSeconds}`);
      ctx.set('RateLimit', `"${tightest.budget.name}";r=${tightest.res.remainingPoints};t=${Math.ceil(tightest.res.msBeforeNext / 1000)}`);
    }
    await next();
  };
}
