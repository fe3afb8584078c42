import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';

/**
 * The user service's tables are its migrations' (src/db/migrations); its repositories read and write them with SQL
 * and typed rows, so no entity describes them (docs/adr/0018-data-access-per-service.md). MikroORM still runs the
 * migrations and the connection, and the outbox and inbox entities of @vcd/messaging are added by ormConfigFor.
 */
export const userDatabase: ServiceDatabase = {
  entities: [],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
