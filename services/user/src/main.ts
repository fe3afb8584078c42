import { bootService } from '@vcd/db';
import { relayHooks } from '@vcd/messaging';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { userDatabase } from './db/orm.config.js';

bootService({
  service: 'user',
  loadConfig,
  database: userDatabase,
  buildApp: ({ orm, logger, config, relay }) =>
    // Wired once: after a use case's unit of work commits events, the outbox relay wakes.
    buildApp({ orm, logger, appApiToken: config.APP_API_TOKEN, commitHooks: relayHooks({ relays: [relay] }) }),
});
