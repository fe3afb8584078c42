import base, { levels } from './ava.config.js';

/**
 * `npm run test:unit`: the pure tests only (every `*.test.ts` beside the packages' and services' code and in
 * scripts/, never a `*.component.test.ts`). No stack is reachable from here, whatever runs on this machine: no
 * STACK_INFO, and libpq's defaults point at a closed port, so a test that reaches for one fails instead of passing
 * by luck on a developer's machine.
 */
export default {
  ...base,
  files: levels.unit,
  environmentVariables: { STACK_INFO: '', PGHOST: '127.0.0.1', PGPORT: '1', DATABASE_URL: '', REDIS_URL: '' },
  timeout: '1m',
  concurrency: 4,
};
