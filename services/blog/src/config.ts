import { durationMs, parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'blog',
    z.object({
      ...sidecarEnv,
      /** How often the post scheduler looks for scheduled articles that are due (ADR 5). */
      SCHEDULER_POLL_MS: durationMs(1000),
    }),
    env,
  );

export type BlogConfig = ReturnType<typeof loadConfig>;
