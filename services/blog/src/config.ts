import { parseConfig, sidecarEnv, z } from '@vcd/config';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) => parseConfig('blog', z.object({ ...sidecarEnv }), env);

export type BlogConfig = ReturnType<typeof loadConfig>;
