import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';
import { Activity } from './activity.entity.js';
import { ArticleProjection } from './article.entity.js';
import { Follow } from './follow.entity.js';
import { Notification } from './notification.entity.js';
import { Preference } from './preference.entity.js';
import { Profile } from './profile.entity.js';

export const userDatabase: ServiceDatabase = {
  entities: [Profile, Follow, Preference, Notification, Activity, ArticleProjection],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
