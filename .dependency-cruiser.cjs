// Layer rules of every service (README, "Service layout"), checked by `npm run lint`:
//   http/ rpc/ events/ jobs/  →  usecases/  →  domain/ and db/ (and clients/)
// Adapters do not reach into the database; repositories persist and query and emit nothing; domain code is plain
// TypeScript: no web framework, ORM, validation library or HTTP error mapping.
const service = '^services/[^/]+/src/';
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'adapters-do-not-use-db',
      comment: 'Route, rpc, event and job handlers call use cases; only use cases (and app wiring) reach repositories.',
      severity: 'error',
      from: { path: `${service}(http|rpc|events|jobs)/` },
      to: { path: `${service}db/` },
    },
    {
      name: 'db-does-not-emit',
      comment: 'Repositories persist and query; events are recorded by use cases through the unit of work.',
      severity: 'error',
      from: { path: `${service}db/`, pathNot: `${service}db/migrations/` },
      to: { path: '^packages/messaging/' },
    },
    {
      name: 'db-does-not-know-callers',
      severity: 'error',
      from: { path: `${service}db/` },
      to: { path: `${service}(http|rpc|events|jobs|usecases)/` },
    },
    {
      name: 'usecases-do-not-know-adapters',
      severity: 'error',
      from: { path: `${service}usecases/` },
      to: { path: `${service}(http|rpc|events|jobs)/` },
    },
    {
      name: 'domain-is-plain',
      comment: 'Domain code imports no web framework, ORM, validation library, or the HTTP side of @vcd/errors.',
      severity: 'error',
      from: { path: `${service}domain/` },
      to: {
        path: [
          '(^|/)node_modules/(koa|@koa/|@mikro-orm/|zod)',
          '^packages/errors/src/(error-middleware|problem-details|realworld-errors)\\.ts$',
          '^packages/(db|messaging|dapr)/',
          `${service}(http|rpc|events|jobs|usecases|db|clients)/`,
        ],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(services|packages)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^(services|packages)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(test|bench)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    combinedDependencies: true,
  },
};
