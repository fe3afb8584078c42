import { parseConfig, sidecarEnv, z } from '@vcd/config';

const perWindow = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'gateway',
    z.object({
      ...sidecarEnv,
      JWT_ISSUER: z.string().default('vcd-simple-blog/auth'),
      JWT_AUDIENCE: z.string().default('vcd-simple-blog'),
      /** Comma-separated origins allowed by CORS; "*" allows any origin (credentials are never allowed then). */
      CORS_ORIGINS: z.string().default('*'),
      UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
      BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
      /** Proxies (exact IPs or IPv4 CIDR ranges, comma-separated) whose X-Forwarded-For is believed; empty: the socket address. */
      TRUSTED_PROXIES: z.string().default(''),
      /** How long a session validity answer from auth is reused (session.revoked events invalidate it sooner). */
      SESSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
      /** Rate-limit budgets (Redis, shared by every gateway replica). */
      RATE_LIMIT_IP_PER_MINUTE: perWindow(1200),
      RATE_LIMIT_USER_PER_MINUTE: perWindow(600),
      RATE_LIMIT_LOGIN_PER_MINUTE: perWindow(20),
      RATE_LIMIT_REGISTER_PER_HOUR: perWindow(30),
      RATE_LIMIT_PASSWORD_RESET_PER_HOUR: perWindow(10),
    }),
    env,
  );

export type GatewayConfig = ReturnType<typeof loadConfig>;
