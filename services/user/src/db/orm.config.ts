import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';
import { Profile } from './profile.entity.js';

export const userDatabase: ServiceDatabase = {
  entities: [Profile],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
