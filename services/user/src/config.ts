import { messagingEnv, parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig('user', z.object({ ...sidecarEnv, ...messagingEnv }), env);

