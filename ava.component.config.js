import base, { levels } from './ava.config.js';

/**
 * `npm run test:component`: one service in-process against real Postgres (PG_ADMIN_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres; each test file creates and drops a database of its own) and Redis
 * (REDIS_URL, default redis://127.0.0.1:6379/15), with fakes where its sidecar would be. No stack needed: a test that
 * needs a real daprd is a system test (test/).
 */
export default { ...base, files: levels.component };
