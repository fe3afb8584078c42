import type { Viewer } from '../domain/access.js';
import type { ArticleView } from '../domain/article-view.js';
import { articlesWithAuthors, readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/** One article the viewer may see, by any of its slugs (old slugs resolve too), with its body. */
export async function getArticle(deps: Pick<BlogDeps, 'em' | 'users'>, slug: string, viewer: Viewer | undefined): Promise<ArticleView> {
  const [view] = await articlesWithAuthors(deps, [await readArticle(deps, slug, viewer)], viewer, { withBody: true });
  return view!;
}
