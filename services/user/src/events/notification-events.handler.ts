import { PUBLISHER_OF } from '@vcd/contracts';
import type { Subscription } from '@vcd/dapr';
import { announceNewPost } from '../usecases/announce-new-post.js';
import { forgetArticle } from '../usecases/forget-article.js';
import { hideArticle } from '../usecases/hide-article.js';
import { notifyComment } from '../usecases/notify-comment.js';
import { notifyNewFollower } from '../usecases/notify-new-follower.js';
import { notifyReaction } from '../usecases/notify-reaction.js';
import { refreshArticle } from '../usecases/refresh-article.js';
import { consume, type ConsumerDeps } from './consume.js';
import { parsePayload } from './event-payloads.js';

/** The events about articles, comments, reactions and follows, each over its use case (see there). */
export const userServiceSubscriptions = (deps: ConsumerDeps): Subscription[] => [
  consume(deps, 'post.published', [PUBLISHER_OF['post.published']], (d) => parsePayload('post.published', d), (tx, post, _e, id) => announceNewPost(tx, post, id)),
  consume(deps, 'post.updated', [PUBLISHER_OF['post.updated']], (d) => parsePayload('post.updated', d), (tx, post) => refreshArticle(tx, post)),
  consume(deps, 'post.unpublished', [PUBLISHER_OF['post.unpublished']], (d) => parsePayload('post.unpublished', d), (tx, post) => hideArticle(tx, post)),
  consume(deps, 'post.deleted', [PUBLISHER_OF['post.deleted']], (d) => parsePayload('post.deleted', d), (tx, post) => forgetArticle(tx, post)),
  consume(deps, 'comment.created', [PUBLISHER_OF['comment.created']], (d) => parsePayload('comment.created', d), (tx, c, _e, id) => notifyComment(tx, c, id)),
  consume(deps, 'reaction.added', [PUBLISHER_OF['reaction.added']], (d) => parsePayload('reaction.added', d), (tx, r, _e, id) => notifyReaction(tx, r, id)),
  consume(deps, 'user.followed', [PUBLISHER_OF['user.followed']], (d) => parsePayload('user.followed', d), (tx, f, _e, id) => notifyNewFollower(tx, f, id)),
];
