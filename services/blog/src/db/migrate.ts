import { migrateFromEnv } from '@vcd/db';
import { blogDatabase } from './orm.config.js';

await migrateFromEnv('blog', blogDatabase);
