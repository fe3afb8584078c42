import { migrateFromEnv } from '@vcd/db/migrate';
import { authDatabase } from './orm.config.js';

await migrateFromEnv('auth', authDatabase);
