/**
 * The first module every service process loads (`node --import tsx --import @vcd/telemetry/register src/main.ts`):
 * ESM modules are bound when they are imported, so instrumentation must hook the loader before the app's own
 * imports run. It reads the telemetry settings (once), starts tracing and, with METRICS_PORT, the metrics server.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { loadTelemetryConfig } from './config.js';
import { startMetricsServer } from './metrics.js';
import { startTracing } from './tracing.js';

const config = (() => {
  try {
    return loadTelemetryConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
})();

if (config.enabled) {
  // Only the modules an instrumentation asks for are wrapped (the channel tells the loader which).
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  startTracing(config);
  await waitForAllMessagesAcknowledged();
}
if (config.metrics) await startMetricsServer(config.metrics);
