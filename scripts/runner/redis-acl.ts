import { createHash } from 'node:crypto';

/**
 * Who may do what in Redis, the same in development, tests, compose and Kubernetes (one generator for all):
 * - `default`: the operator (runner, tests, health checks): everything, with `redis-password`;
 * - `pubsub`: the daprd pub/sub components: stream commands only, with `redis-pubsub-password` (resolved by
 *   daprd from the secret store, never readable by an app);
 * - `ratelimit`: the apps' rate-limit and throttle counters (`redis-url`, read by gateway and auth): only the
 *   counters' keys, so an app that is compromised cannot write a pub/sub stream and forge an event. Scripts may
 *   read the server clock (`TIME`: auth's slowdown script decides by Redis time, the same for every replica).
 * Passwords appear as SHA-256 hashes only, so the ACL itself is not a secret.
 */
export interface RedisPasswords {
  admin: string;
  pubsub: string;
  ratelimit: string;
}

export const REDIS_PUBSUB_USER = 'pubsub';
export const REDIS_RATELIMIT_USER = 'ratelimit';
/** Key prefixes of the counters: the gateway's rate limits and auth's login/reset/verification throttles. */
export const RATE_LIMIT_KEY_PATTERNS = ['gw:rl:*', 'vcd:auth:*'];

/** The secret-store keys of the three passwords. */
export const REDIS_PASSWORD_KEYS = { admin: 'redis-password', pubsub: 'redis-pubsub-password', ratelimit: 'redis-ratelimit-password' } as const;

const hashed = (password: string) => `#${createHash('sha256').update(password).digest('hex')}`;

/** ACL rules, one `user …` line each (an ACL file, or `user` directives of redis.conf). */
export function redisAclLines(p: RedisPasswords): string[] {
  return [
    `user default on ${hashed(p.admin)} ~* &* +@all`,
    `user ${REDIS_PUBSUB_USER} on ${hashed(p.pubsub)} resetchannels ~* -@all +@stream +@connection -@dangerous +ping +info +time`,
    `user ${REDIS_RATELIMIT_USER} on ${hashed(p.ratelimit)} resetchannels ${RATE_LIMIT_KEY_PATTERNS.map((k) => `~${k}`).join(' ')} -@all +@read +@write +@scripting +@transaction +@connection -@dangerous +ping +info +time`,
  ];
}

/** The URL the apps read as `redis-url`: the rate-limit user on `host:port`, logical database `db`. */
export const rateLimitRedisUrl = (hostPort: string, password: string, db: number) =>
  `redis://${REDIS_RATELIMIT_USER}:${encodeURIComponent(password)}@${hostPort}/${db}`;
