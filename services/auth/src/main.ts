import { bootService } from '@vcd/db';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { authDatabase } from './db/orm.config.js';
import { parseSigningKey } from './domain/access-token.js';

bootService({
  service: 'auth',
  loadConfig,
  database: authDatabase,
  buildApp: async ({ orm, logger, config, sidecar, relay }) =>
    buildApp({ orm, logger, config, signingKey: parseSigningKey(await sidecar.getSecret('jwt-signing-key')), afterCommit: () => relay.notify() }),
});
