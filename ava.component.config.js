import base, { levels } from './ava.config.js';

/**
 * `npm run test:component`: one service in-process against real Postgres (PG_ADMIN_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres; each test file creates and drops a database of its own) and Redis
 * (REDIS_URL, default redis://127.0.0.1:6379/15), with fakes where its sidecar would be. No stack needed, except
 * for the files in `needsStack` (they publish through a real daprd): those run under `npm test` only.
 */
const needsStack = ['packages/messaging/test/outbox-relay.component.test.ts'];
if (!process.env.STACK_INFO) process.stderr.write(`test:component: without a stack (npm test), leaving out ${needsStack.join(', ')}\n`);

export default { ...base, files: process.env.STACK_INFO ? levels.component : [...levels.component, ...needsStack.map((f) => `!${f}`)] };
