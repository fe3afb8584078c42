import { createHash } from 'node:crypto';
import { insertNewArticle, newArticleId } from '../db/article.repository.js';
import { claimIdempotencyKey, type IdempotencyRecord } from '../db/idempotency.repository.js';
import type { Viewer } from '../domain/access.js';
import { normalizeTags, type ArticleRecord, type ArticleView } from '../domain/article-view.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { slugCandidates } from '../domain/slug.js';
import { initialState, type WorkflowState } from '../domain/workflow.js';
import { categoryIdOf, type ArticleInput } from './article-writes.js';
import { articleAfterWrite, articlesWithAuthors } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/** Ends a transaction without committing: the request repeats one that already created its article. */
class Replay {
  constructor(readonly record: IdempotencyRecord) {}
}

/**
 * Creates an article: a free slug from its title, its tags, and post.published in the same transaction when it
 * goes live. With an idempotency key, the key is claimed in that transaction too: a retry of the same request
 * (same author, key and content) answers the article the first one created and creates nothing; the same key
 * with other content is a conflict.
 */
export async function createArticle(
  deps: BlogDeps,
  author: Viewer,
  input: ArticleInput,
  idempotencyKey?: string,
): Promise<{ article: ArticleView; replayed: boolean }> {
  const now = deps.now();
  const state = initialState({ status: input.status, publishAt: input.publishAt }, now);
  const categoryId = (await categoryIdOf(deps, input.category)) ?? null;
  const id = newArticleId();
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  const tagList = normalizeTags(input.tagList ?? []);
  let created: ArticleRecord;
  try {
    created = await deps.uow.run(async (tx, events) => {
      if (idempotencyKey) {
        const earlier = await claimIdempotencyKey(tx, { ownerId: author.userId, key: idempotencyKey, operation: 'article.create', requestHash, resourceId: id });
        if (earlier) throw new Replay(earlier);
      }
      const { slug, ...times } = await insertNewArticle(
        tx,
        slugCandidates(input.title),
        { id, title: input.title, description: input.description, body: input.body, authorId: author.userId, categoryId, ...state },
        tagList,
      );
      if (state.becamePublished) {
        events.emit('post.published', { articleId: id, slug, title: input.title, authorId: author.userId, publishedAt: now.toISOString(), version: 1 });
      }
      // A new article is exactly what was written: no need to read it back.
      return newArticleRecord({ id, slug, input, authorId: author.userId, state, tagList, category: categoryId === null ? null : (input.category ?? null), ...times });
    });
  } catch (err) {
    if (!(err instanceof Replay)) throw err;
    if (err.record.operation !== 'article.create' || err.record.requestHash !== requestHash) throw BlogErrors.idempotencyKeyReused();
    return { article: await articleAfterWrite(deps, err.record.resourceId, author), replayed: true };
  }
  const [article] = await articlesWithAuthors(deps, [created], author, { withBody: true, afterWrite: true });
  return { article: article!, replayed: false };
}

function newArticleRecord(a: {
  id: string;
  slug: string;
  input: ArticleInput;
  authorId: string;
  state: WorkflowState;
  tagList: string[];
  category: string | null;
  createdAt: Date;
  updatedAt: Date;
}): ArticleRecord {
  return {
    id: a.id,
    slug: a.slug,
    title: a.input.title,
    description: a.input.description,
    body: a.input.body,
    authorId: a.authorId,
    status: a.state.status,
    publishAt: a.state.publishAt,
    publishedAt: a.state.publishedAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    category: a.category,
    tagList: a.tagList,
    favoritesCount: 0,
    favorited: false,
    reactions: {},
    myReactions: [],
  };
}
