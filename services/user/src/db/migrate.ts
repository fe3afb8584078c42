import { migrateFromEnv } from '@vcd/db/migrate';
import { userDatabase } from './orm.config.js';

await migrateFromEnv('user', userDatabase);
