import { addReaction, removeReaction, type ReactionTarget } from '../db/reaction.repository.js';
import { findComment } from '../db/comment.repository.js';
import type { Viewer } from '../domain/access.js';
import { commentNotFound, type BlogDeps } from './blog-deps.js';
import { getArticleById, readArticle } from './read-articles.js';
import { getComment } from './comments.js';

async function react(
  deps: BlogDeps,
  viewer: Viewer,
  kind: string,
  target: ReactionTarget,
  event: { targetType: 'article' | 'comment'; targetId: string; articleId: string; targetAuthorId: string },
) {
  await deps.uow.run(async (tx, events) => {
    const isNew = await addReaction(tx, viewer.userId, kind, target);
    if (isNew) events.emit('reaction.added', { kind, userId: viewer.userId, ...event });
  });
}

/** A reaction (or a favorite) on an article: once per user and kind; reaction.added only the first time. */
export async function reactToArticle(deps: BlogDeps, viewer: Viewer, slug: string, kind: string) {
  const article = await readArticle(deps, slug, viewer);
  await react(deps, viewer, kind, { articleId: article.id }, {
    targetType: 'article',
    targetId: article.id,
    articleId: article.id,
    targetAuthorId: article.authorId,
  });
  return getArticleById(deps, article.id, viewer);
}

export async function unreactToArticle(deps: BlogDeps, viewer: Viewer, slug: string, kind: string) {
  const article = await readArticle(deps, slug, viewer);
  await removeReaction(deps.em(), viewer.userId, kind, { articleId: article.id });
  return getArticleById(deps, article.id, viewer);
}

async function commentOf(deps: BlogDeps, viewer: Viewer, slug: string, id: number) {
  const article = await readArticle(deps, slug, viewer);
  const comment = await findComment(deps.em(), article.id, id, null);
  if (!comment) throw commentNotFound(id);
  return { article, comment };
}

export async function reactToComment(deps: BlogDeps, viewer: Viewer, slug: string, id: number, kind: string) {
  const { article, comment } = await commentOf(deps, viewer, slug, id);
  await react(deps, viewer, kind, { commentId: id }, {
    targetType: 'comment',
    targetId: String(id),
    articleId: article.id,
    targetAuthorId: comment.authorId,
  });
  return getComment(deps, article.id, id, viewer);
}

export async function unreactToComment(deps: BlogDeps, viewer: Viewer, slug: string, id: number, kind: string) {
  const { article } = await commentOf(deps, viewer, slug, id);
  await removeReaction(deps.em(), viewer.userId, kind, { commentId: id });
  return getComment(deps, article.id, id, viewer);
}
