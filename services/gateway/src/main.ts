import { Sidecar } from '@vcd/dapr';
import { runMain, serve } from '@vcd/http';
import { createLogger } from '@vcd/logging';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { parsePublicKeys } from './domain/public-keys.js';

runMain('gateway', async () => {
  const config = loadConfig();
  const logger = createLogger('gateway', { level: config.LOG_LEVEL });
  const sidecar = new Sidecar({ host: config.DAPR_HOST, httpPort: config.DAPR_HTTP_PORT, grpcPort: config.DAPR_GRPC_PORT, apiToken: config.DAPR_API_TOKEN });
  await sidecar.waitUntilReady();
  const keys = parsePublicKeys(await sidecar.getSecret('jwt-public-keys'));
  const app = buildApp({ config, logger, sidecar, publicKeys: () => keys });
  await serve(app, { host: config.APP_HOST, port: config.APP_PORT, logger, graceMs: config.SHUTDOWN_GRACE_MS, onShutdown: () => sidecar.close() });
});
