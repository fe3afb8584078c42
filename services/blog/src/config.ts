import { durationMs, parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'blog',
    z.object({
      ...sidecarEnv,
      /** How often the post scheduler looks for scheduled articles that are due (ADR 5). */
      SCHEDULER_POLL_MS: durationMs(1000),
      /** How long author cards for anonymous readers are reused (0: always ask the user service). */
      AUTHOR_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      /**
       * How long the article list pages of anonymous readers are reused (0: never). Writes of this instance empty
       * them at once; another instance's writes show after at most this long.
       */
      PUBLIC_PAGE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    }),
    env,
  );

export type BlogConfig = ReturnType<typeof loadConfig>;
