import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@vcd/db';
import { Article, ArticleSlug, ArticleTag } from './article.entity.js';
import { Category } from './category.entity.js';
import { Comment } from './comment.entity.js';
import { IdempotencyKey } from './idempotency-key.entity.js';
import { Reaction } from './reaction.entity.js';
import { Tag } from './tag.entity.js';

export const blogDatabase: ServiceDatabase = {
  entities: [Tag, Category, Article, ArticleSlug, ArticleTag, Comment, Reaction, IdempotencyKey],
  migrationsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
