/**
 * The dev runner ("tye-like"): reads dapr.yaml and starts every app beside its own daprd, with prefixed logs
 * and a clean Ctrl-C. Usage: npm start [-- --only blog,user] [--reset-db]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleSink } from './runner/processes.js';
import { startStack, type Stack } from './runner/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'reset-db': { type: 'boolean', default: false },
    'free-ports': { type: 'boolean', default: false },
    'no-observability': { type: 'boolean', default: false },
    'db-prefix': { type: 'string', default: process.env.DB_PREFIX ?? 'vcd_' },
    'redis-db': { type: 'string', default: process.env.REDIS_DB ?? '0' },
    'run-dir': { type: 'string', default: path.join(root, '.run', 'dev') },
    'secrets-file': { type: 'string', default: path.join(root, '.secrets', 'secrets.json') },
  },
});
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const sink = consoleSink([...['gateway', 'auth', 'blog', 'user'].flatMap((n) => [n, `${n}:dapr`]), 'maildev']);

let stack: Stack | undefined;
let exiting = false;
const shutdown = async (why: string, code: number) => {
  if (exiting) return;
  exiting = true;
  sink.runner(`${why}: stopping every process`);
  await stack?.stop();
  sink.runner('all processes stopped');
  process.exit(code);
};
process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

/** Where a person looks at the system (docs/observability.md). */
function observabilityLines(s: Stack): string {
  const out: string[] = [];
  if (s.traceUiUrl) out.push(`  traces:  ${s.traceUiUrl} (search by service, or open ${s.traceUiUrl}/trace/<trace id>)`);
  if (s.prometheusUrl) out.push(`  metrics: ${s.prometheusUrl} (Prometheus: /targets, /alerts, dashboard ${s.prometheusUrl}/consoles/vcd.html)`);
  out.push(`  app metrics: ${[...s.apps.values()].map((a) => `${a.spec.appId} :${a.metricsPort}`).join(', ')}; daprd metrics: ${[...s.apps.values()].map((a) => `:${a.daprMetricsPort}`).join(', ')}`);
  return `\n${out.join('\n')}`;
}

try {
  stack = await startStack({
    root,
    only,
    ports: values['free-ports'] ? 'free' : 'manifest',
    dbPrefix: values['db-prefix']!,
    redisDB: Number(values['redis-db']),
    runDir: values['run-dir']!,
    secretsFile: values['secrets-file']!,
    resetDatabases: values['reset-db'],
    sink,
    onUnexpectedExit: (name) => void shutdown(`${name} died`, 1),
    observability: values['no-observability'] ? 'off' : 'dev',
  });
  const lines = [...stack.apps.values()].map(
    (a) => `${a.spec.appId.padEnd(8)} app :${a.appPort}  daprd http :${a.daprHttpPort} grpc :${a.daprGrpcPort}`,
  );
  sink.runner(`ready\n${lines.join('\n')}${stack.gatewayUrl ? `\n\n  API:  ${stack.gatewayUrl}/api   docs: ${stack.gatewayUrl}/api/docs   ready: ${stack.gatewayUrl}/readyz\n  mail: ${stack.mailUrl} (MailDev)` : ''}${observabilityLines(stack)}\n  (Ctrl-C stops everything)`);
  // Machine-readable line for tools that drive the runner (the Ctrl-C test).
  if (process.env.RUNNER_REPORT_PIDS) process.stdout.write(`RUNNER_PIDS ${JSON.stringify(stack.pids())}\n`);
} catch (err) {
  sink.runner(`start-up failed: ${(err as Error).message}`);
  await shutdown('start-up failed', 1);
}
