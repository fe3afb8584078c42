import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';
import { Tag } from './tag.entity.js';

export const blogDatabase: ServiceDatabase = {
  entities: [Tag],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
