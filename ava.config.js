/**
 * ava's configuration for every test level (docs: README, "Testing"). A test file's name says what it needs:
 *
 *   unit       `*.test.ts` under packages/<name>/test, services/<name>/test and scripts/. Pure: no Postgres, no Redis, no daprd,
 *              no network beyond a server the test itself listens on. `npm run test:unit` (ava.unit.config.js).
 *   component  `*.component.test.ts` under packages/<name>/test and services/<name>/test. One service (or package) in-process
 *              with real Postgres (a database of the test's own, test/support/component.ts) and Redis, fakes
 *              where the sidecar would be. `npm run test:component` (ava.component.config.js).
 *   system     everything under test/ (system, security, deploy, docs, disruptive): the whole stack through the gateway and real
 *              sidecars (STACK_INFO), run by `npm test` (scripts/test.ts), which also runs the two levels above.
 */
export const levels = {
  unit: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'scripts/**/*.test.ts', '!**/*.component.test.ts'],
  component: ['packages/*/test/**/*.component.test.ts', 'services/*/test/**/*.component.test.ts'],
  system: ['test/**/*.test.ts'],
};

export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  files: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
  timeout: '3m',
  concurrency: 2,
};
