import { findArticleById, findArticleBySlug } from '../db/article.repository.js';
import { reactionsOfUser } from '../db/reaction.repository.js';
import { canRead, type Viewer } from '../domain/access.js';
import { toArticleView, type ArticleRecord, type ArticleView } from '../domain/article-view.js';
import { authorFor, profilesAfterWrite, type AuthorProfile } from '../domain/authors.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { FAVORITE } from '../domain/reactions.js';
import type { BlogDeps } from './blog-deps.js';

/** Shared steps of the article use cases (not a use case): reading an article the viewer may see, and its views. */

export interface ArticlePage {
  articles: ArticleView[];
  articlesCount: number;
}

/**
 * A page of articles as anonymous readers see it, with what a viewer's copy is made from (ids and authors in page
 * order). Kept in the public page cache and shared by every reader of the same query.
 */
export interface ListedArticles {
  page: ArticlePage;
  articleIds: string[];
  authorIds: string[];
  /** Authors the user service did not know yet (their card is a placeholder; a viewer's own shows their name). */
  unknownAuthors: ReadonlySet<string>;
}

/** The author cards of a page: ONE user-service call for every author not already `known`. */
async function authorCards(
  deps: Pick<BlogDeps, 'users'>,
  authorIds: string[],
  viewerId: string | undefined,
  options: { known?: Map<string, AuthorProfile>; afterWrite?: boolean },
): Promise<Map<string, AuthorProfile>> {
  const known = options.known ?? new Map<string, AuthorProfile>();
  const missing = [...new Set(authorIds)].filter((id) => !known.has(id));
  const request = { userIds: missing, viewerId };
  const fetched = !missing.length ? new Map() : options.afterWrite ? await profilesAfterWrite(deps.users, request) : await deps.users.profiles(request);
  return new Map<string, AuthorProfile>([...known, ...fetched]);
}

/**
 * Articles with their authors: ONE user-service call for every author of the page (profiles already known,
 * e.g. from resolving ?author=, are not asked for again). With `following` (whom the viewer follows, from the
 * follow cache) the cards are the anonymous ones (cached) with `following` set from it: no call relative to the
 * viewer at all.
 */
export async function articlesWithAuthors(
  deps: Pick<BlogDeps, 'users'>,
  records: ArticleRecord[],
  viewer: Viewer | undefined,
  options: { withBody: boolean; known?: Map<string, AuthorProfile>; afterWrite?: boolean; following?: ReadonlySet<string> },
): Promise<ArticleView[]> {
  const profiles = await authorCards(deps, records.map((r) => r.authorId), options.following ? undefined : viewer?.userId, options);
  return records.map((r) => {
    const author = authorFor(profiles, r.authorId, viewer);
    const following = options.following ? options.following.has(r.authorId) && r.authorId !== viewer?.userId : author.following;
    return toArticleView(r, { ...author, following }, { withBody: options.withBody });
  });
}

/** A page of articles (no bodies) as `viewer` (or an anonymous reader) sees it, with what forViewer needs. */
export async function listedArticles(
  deps: Pick<BlogDeps, 'users'>,
  records: ArticleRecord[],
  count: number,
  viewer: Viewer | undefined,
  known?: Map<string, AuthorProfile>,
): Promise<ListedArticles> {
  const profiles = await authorCards(deps, records.map((r) => r.authorId), viewer?.userId, { known });
  return {
    page: { articles: records.map((r) => toArticleView(r, authorFor(profiles, r.authorId, viewer), { withBody: false })), articlesCount: count },
    articleIds: records.map((r) => r.id),
    authorIds: records.map((r) => r.authorId),
    unknownAuthors: new Set(records.map((r) => r.authorId).filter((id) => !profiles.has(id))),
  };
}

/**
 * A viewer's copy of a public page: their `favorited` and `myReactions` from one indexed query on this page's
 * articles, `following` from the follow cache, their own name on their articles whose card the user service did
 * not know yet. Everything else is the shared page, unchanged.
 */
export async function forViewer(deps: Pick<BlogDeps, 'em' | 'follows'>, listed: ListedArticles, viewer: Viewer): Promise<ArticlePage> {
  if (listed.page.articles.length === 0) return listed.page;
  const [mine, follows] = await Promise.all([reactionsOfUser(deps.em(), viewer.userId, listed.articleIds), deps.follows.of(viewer.userId)]);
  const articles = listed.page.articles.map((a, i) => {
    const kinds = mine.get(listed.articleIds[i]!) ?? [];
    const authorId = listed.authorIds[i]!;
    const own = authorId === viewer.userId;
    const author = own
      ? { ...a.author, username: listed.unknownAuthors.has(authorId) ? viewer.username : a.author.username, following: false }
      : { ...a.author, following: follows.has(authorId) };
    return { ...a, author, favorited: kinds.includes(FAVORITE), myReactions: kinds.filter((k) => k !== FAVORITE).sort() };
  });
  return { articles, articlesCount: listed.page.articlesCount };
}

/** One article the viewer may see, by any of its slugs. */
export async function readArticle(deps: Pick<BlogDeps, 'em'>, slug: string, viewer: Viewer | undefined): Promise<ArticleRecord> {
  const article = await findArticleBySlug(deps.em(), slug, viewer?.userId ?? null);
  if (!article || !canRead(article, viewer)) throw BlogErrors.articleNotFound(slug);
  return article;
}

/** The answer to a committed write: the article by id, its author card degraded if the user service is down. */
export async function articleAfterWrite(deps: Pick<BlogDeps, 'em' | 'users'>, id: string, viewer: Viewer | undefined): Promise<ArticleView> {
  const article = await findArticleById(deps.em(), id, viewer?.userId ?? null);
  if (!article) throw BlogErrors.articleNotFound(id);
  const [view] = await articlesWithAuthors(deps, [article], viewer, { withBody: true, afterWrite: true });
  return view!;
}
