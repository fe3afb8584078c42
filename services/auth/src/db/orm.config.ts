import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';
import { Account, OneTimeToken, OutgoingMail, RefreshToken, Session } from './account.entity.js';

export const authDatabase: ServiceDatabase = {
  entities: [Account, Session, RefreshToken, OneTimeToken, OutgoingMail],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
