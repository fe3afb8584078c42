import { migrateFromEnv } from '@vcd/db';
import { authDatabase } from './orm.config.js';

await migrateFromEnv('auth', authDatabase);
