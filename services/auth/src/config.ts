import { messagingEnv, parseConfig, sidecarEnv, z } from '@vcd/config';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'auth',
    z.object({
      ...sidecarEnv,
      ...messagingEnv,
      JWT_ISSUER: z.string().default('vcd-simple-blog/auth'),
      JWT_AUDIENCE: z.string().default('vcd-simple-blog'),
      /**
       * Sessions and tokens (docs/adr/0013-sliding-sessions.md). Login and registration answer a session token that
       * lives as long as its session; POST /api/users/refresh answers a short access token of ACCESS_TOKEN_TTL_SECONDS.
       * A session ends when revoked, when unused for SESSION_IDLE_TIMEOUT_SECONDS, or SESSION_MAX_LIFETIME_DAYS
       * after login, whichever comes first. Its last use is written at most every SESSION_TOUCH_INTERVAL_SECONDS.
       */
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(900),
      SESSION_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(365 * 86_400).default(30 * 86_400),
      SESSION_MAX_LIFETIME_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
      SESSION_TOUCH_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
      /** argon2id memory in KiB, iterations, lanes (OWASP: m=19456, t=2, p=1 at least). */
      ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
      ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
      ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
      /** Concurrent argon2 computations; more queue instead of starving the event loop and memory. */
      ARGON2_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
      /** Where the links in mails point (a frontend page that posts the token to the API). */
      PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),
      VERIFICATION_TOKEN_TTL_MINUTES: z.coerce.number().int().min(5).max(10_080).default(1440),
      RESET_TOKEN_TTL_MINUTES: z.coerce.number().int().min(5).max(1440).default(30),
      /**
       * Password checks (login, current password), docs/security.md "Throttling policy": hard budgets per
       * (address, client address) and per client address in a window, then 429; the address as a whole is only
       * slowed down: LOGIN_FREE_ATTEMPTS_PER_ACCOUNT at once, then spaced LOGIN_FIRST_DELAY_MS apart, doubling up to
       * LOGIN_MAX_DELAY_MS; a request waits up to LOGIN_MAX_WAIT_MS for its turn, else 429 with Retry-After.
       */
      LOGIN_FAILURES_PER_ACCOUNT_AND_IP: count(5),
      LOGIN_FAILURES_PER_IP: count(100),
      LOGIN_WINDOW_SECONDS: seconds(900),
      LOGIN_FREE_ATTEMPTS_PER_ACCOUNT: count(10),
      LOGIN_FIRST_DELAY_MS: z.coerce.number().int().min(100).default(1000),
      LOGIN_MAX_DELAY_MS: z.coerce.number().int().min(100).default(60_000),
      /** At most 4 s: a waiting login must still answer within the gateway's 5 s invoke timeout. */
      LOGIN_MAX_WAIT_MS: z.coerce.number().int().min(0).max(4000).default(2000),
      /** Password-reset requests: per (address, client address) and per client address, then the address is slowed down. */
      RESET_REQUESTS_PER_ACCOUNT_AND_IP: count(3),
      RESET_REQUESTS_PER_IP: count(30),
      RESET_WINDOW_SECONDS: seconds(3600),
      RESET_FREE_REQUESTS_PER_ACCOUNT: count(3),
      RESET_FIRST_DELAY_SECONDS: seconds(300),
      RESET_MAX_DELAY_SECONDS: seconds(3600),
      /** A client address where the owner logged in is exempt from the address-wide slowdown for this long. */
      KNOWN_SOURCE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
      /** Registration attempts per client address per hour (the gateway has its own budget in front). */
      REGISTRATIONS_PER_IP_PER_HOUR: count(20),
      /** Verification mails (resend) per account per hour. */
      VERIFICATION_MAILS_PER_HOUR: count(5),
      /** How long registration waits for the user service to create the profile before answering anyway. */
      PROFILE_CREATE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1500),
      MAIL_POLL_MS: z.coerce.number().int().min(100).default(2000),
    }).superRefine((c, issues) => {
      if (c.SESSION_TOUCH_INTERVAL_SECONDS * 2 > c.SESSION_IDLE_TIMEOUT_SECONDS) {
        issues.addIssue({ code: 'custom', path: ['SESSION_TOUCH_INTERVAL_SECONDS'], message: 'must be at most half of SESSION_IDLE_TIMEOUT_SECONDS' });
      }
      if (c.SESSION_IDLE_TIMEOUT_SECONDS > c.SESSION_MAX_LIFETIME_DAYS * 86_400) {
        issues.addIssue({ code: 'custom', path: ['SESSION_IDLE_TIMEOUT_SECONDS'], message: 'must not exceed SESSION_MAX_LIFETIME_DAYS' });
      }
    }),
    env,
  );

export type AuthConfig = ReturnType<typeof loadConfig>;
