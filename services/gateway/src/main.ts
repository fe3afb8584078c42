import { Redis } from 'ioredis';
import { DaprGrpcInvoker } from '@vcd/contracts';
import { hostService } from '@vcd/http';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { authKeys } from './clients/auth-keys.js';
import { ServiceDocuments } from './http/service-documents.js';
import { SessionValidator } from './http/session-validator.js';

hostService({
  service: 'gateway',
  loadConfig,
  start: async ({ config, logger, sidecar }) => {
    // A Redis that hangs (frozen, partitioned) must not hang requests: a command gives up after 250 ms and the
    // rate limiter falls back to its in-memory budget (test/disruptive/redis-outage.test.ts).
    const redis = new Redis(await sidecar.getSecret('redis-url'), { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false, commandTimeout: 250, enableAutoPipelining: true });
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis'));
    const grpc = new DaprGrpcInvoker({ host: config.DAPR_HOST, grpcPort: config.DAPR_GRPC_PORT, apiToken: config.DAPR_API_TOKEN });
    const keys = authKeys(sidecar);
    const sessions = new SessionValidator(grpc, config.SESSION_CACHE_TTL_MS);
    // The routes the gateway forwards are the ones each service declares; a service not up yet is asked again on demand.
    const documents = new ServiceDocuments(sidecar, logger);
    // Both at once (a restart's return is mostly start-up): the keys (auth may still be starting; the first token
    // with an unknown kid fetches them) and every service's route declarations.
    await Promise.all([keys.load().catch((err: Error) => logger.warn({ err: err.message }, 'JWKS not loaded yet')), documents.loadAll()]);
    return {
      app: buildApp({ config, logger, sidecar, grpc, redis, keys, sessions, documents }),
      stopping: async () => {
        redis.disconnect();
      },
    };
  },
});
