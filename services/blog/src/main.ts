import { bootService } from '@vcd/db';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { blogDatabase } from './db/orm.config.js';

bootService({
  service: 'blog',
  loadConfig,
  database: blogDatabase,
  buildApp: ({ orm, logger, config }) => buildApp({ orm, logger, appApiToken: config.APP_API_TOKEN }),
});
