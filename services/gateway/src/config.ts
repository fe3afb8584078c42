import { parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'gateway',
    z.object({
      ...sidecarEnv,
      JWT_ISSUER: z.string().default('vcd-simple-blog/auth'),
      JWT_AUDIENCE: z.string().default('vcd-simple-blog'),
      /** Comma-separated origins allowed by CORS ("*" for any). */
      CORS_ORIGINS: z.string().default('*'),
      UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
      BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    }),
    env,
  );

export type GatewayConfig = ReturnType<typeof loadConfig>;
