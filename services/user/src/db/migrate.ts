import { migrateFromEnv } from '@vcd/db';
import { userDatabase } from './orm.config.js';

await migrateFromEnv('user', userDatabase);
