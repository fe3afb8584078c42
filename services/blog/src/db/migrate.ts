import { migrateFromEnv } from '@vcd/db/migrate';
import { blogDatabase } from './orm.config.js';

await migrateFromEnv('blog', blogDatabase);
