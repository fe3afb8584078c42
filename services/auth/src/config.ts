import { parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'auth',
    z.object({
      ...sidecarEnv,
      JWT_ISSUER: z.string().default('vcd-simple-blog/auth'),
      JWT_AUDIENCE: z.string().default('vcd-simple-blog'),
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
      REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
      /** argon2id memory in KiB, iterations, lanes (OWASP: m=19456, t=2, p=1 at least). */
      ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
      ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
      ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
      /** Concurrent argon2 computations; more queue instead of starving the event loop and memory. */
      ARGON2_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    }),
    env,
  );

export type AuthConfig = ReturnType<typeof loadConfig>;
