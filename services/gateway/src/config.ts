import { parseConfig, sidecarEnv, z } from '@vcd/config';

const perWindow = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** An absolute http(s) URL, or an absolute path on the frontend's own origin (`/…`, not `//host`). */
const imageUrl = z
  .string()
  .refine((v) => (/^\/(?!\/)/.test(v) && !/[\s"<>\\]/.test(v)) || URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    message: 'must be an absolute http(s) URL or a path starting with /',
  });

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
      /** How long a profile card (bio, image) from the user service is reused; profile.updated drops it sooner. 0: never. */
      PROFILE_CARD_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      /**
       * The longest the gateway keeps an anonymous answer its upstream marked `public, s-maxage=N` (ADR 19); 0: keep
       * none. Writes through this gateway empty it at once.
       */
      PUBLIC_CACHE_MAX_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      /** Memory for those answers (bytes, bodies counted). */
      PUBLIC_CACHE_MAX_BYTES: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
      /** Rate-limit budgets (Redis, shared by every gateway replica). */
      RATE_LIMIT_IP_PER_MINUTE: perWindow(1200),
      RATE_LIMIT_USER_PER_MINUTE: perWindow(600),
      RATE_LIMIT_LOGIN_PER_MINUTE: perWindow(20),
      RATE_LIMIT_REGISTER_PER_HOUR: perWindow(30),
      RATE_LIMIT_PASSWORD_RESET_PER_HOUR: perWindow(10),
      /** Where clients reach the gateway: absolute links the gateway hands out (the default avatar) start here. */
      PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).default('http://127.0.0.1:8080'),
      /** The `image` of users who have not set one; default `${PUBLIC_BASE_URL}/api/avatars/default.svg` (served by the gateway). */
      DEFAULT_AVATAR_URL: imageUrl.optional(),
    }).transform((c) => ({ ...c, DEFAULT_AVATAR_URL: c.DEFAULT_AVATAR_URL ?? `${c.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/avatars/default.svg` })),
    env,
  );

export type GatewayConfig = ReturnType<typeof loadConfig>;
