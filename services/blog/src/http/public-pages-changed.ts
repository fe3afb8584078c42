import type { Context } from 'koa';

/** What a write changed on the public pages, when its handler can say (app.ts drops those pages after it). */
export interface PublicPagesChange {
  /** Only the pages of these tags, and every page not limited to one tag. */
  tags: readonly string[];
}

const STATE_KEY = 'publicPagesChange';

/** Said by a write's handler once the write committed: a new article changes only the pages its tags are on. */
export function changedPublicPages(ctx: Context, change: PublicPagesChange): void {
  ctx.state[STATE_KEY] = change;
}

/** What the request's handler said it changed; undefined (every page) when it said nothing or failed first. */
export const publicPagesChangedBy = (ctx: Context): PublicPagesChange | undefined => ctx.state[STATE_KEY] as PublicPagesChange | undefined;
