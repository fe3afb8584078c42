import type { Subscription } from '@vcd/dapr';
import { announceNewPost, announceNewPosts } from '../usecases/announce-new-post.js';
import { forgetArticle } from '../usecases/forget-article.js';
import { hideArticle } from '../usecases/hide-article.js';
import { notifyComment } from '../usecases/notify-comment.js';
import { notifyNewFollower } from '../usecases/notify-new-follower.js';
import { notifyReaction } from '../usecases/notify-reaction.js';
import { refreshArticle } from '../usecases/refresh-article.js';
import { consume, type ConsumerDeps } from './consume.js';

/** The events about articles, comments, reactions and follows, each over its use case (see there). */
export const userServiceSubscriptions = (deps: ConsumerDeps): Subscription[] => [
  consume(
    deps,
    'post.published',
    (tx, post, _e, id) => announceNewPost(tx, post, id),
    (tx, posts) => announceNewPosts(tx, posts),
  ),
  consume(deps, 'post.updated', (tx, post) => refreshArticle(tx, post)),
  consume(deps, 'post.unpublished', (tx, post) => hideArticle(tx, post)),
  consume(deps, 'post.deleted', (tx, post) => forgetArticle(tx, post)),
  consume(deps, 'comment.created', (tx, c, _e, id) => notifyComment(tx, c, id)),
  consume(deps, 'reaction.added', (tx, r, _e, id) => notifyReaction(tx, r, id)),
  consume(deps, 'user.followed', (tx, f, _e, id) => notifyNewFollower(tx, f, id)),
];
