import { BlogErrors } from './blog-errors.js';

export const STATUSES = ['draft', 'scheduled', 'published', 'archived'] as const;
export type ArticleStatus = (typeof STATUSES)[number];
export type WorkflowAction = 'publish' | 'unpublish' | 'schedule' | 'archive';

/** Where each action may start from. Anything else is a conflict with the article's current state. */
const ALLOWED_FROM: Record<WorkflowAction, readonly ArticleStatus[]> = {
  publish: ['draft', 'scheduled', 'archived'],
  unpublish: ['published', 'scheduled', 'archived'],
  schedule: ['draft', 'scheduled'],
  archive: ['draft', 'scheduled', 'published'],
};

export interface WorkflowState {
  status: ArticleStatus;
  publishAt: Date | null;
  publishedAt: Date | null;
}

export interface WorkflowChange extends WorkflowState {
  /** True when this change makes the article public (post.published is due). */
  becamePublished: boolean;
}

/** Applies one workflow action to an article's state (pure: `now` is given). */
export function applyAction(current: WorkflowState, action: WorkflowAction, now: Date, publishAt?: Date | null): WorkflowChange {
  if (!ALLOWED_FROM[action].includes(current.status)) throw BlogErrors.invalidTransition(current.status, action);
  switch (action) {
    case 'publish':
      return { status: 'published', publishAt: null, publishedAt: now, becamePublished: true };
    case 'schedule':
      if (!publishAt) throw BlogErrors.invalidWorkflow('publishAt', "can't be blank");
      if (publishAt.getTime() <= now.getTime()) throw BlogErrors.invalidWorkflow('publishAt', 'must be in the future');
      return { status: 'scheduled', publishAt, publishedAt: current.publishedAt, becamePublished: false };
    case 'unpublish':
      // Back to a draft that has no publication behind it: archiving it later does not make it public again.
      return { status: 'draft', publishAt: null, publishedAt: null, becamePublished: false };
    case 'archive':
      return { status: 'archived', publishAt: null, publishedAt: current.publishedAt, becamePublished: false };
  }
}

/**
 * The state of a new article: no status publishes at once (what RealWorld clients expect), a `publishAt`
 * alone schedules, and `scheduled` needs a future `publishAt`.
 */
export function initialState(requested: { status?: ArticleStatus; publishAt?: Date | null }, now: Date): WorkflowChange {
  const status = requested.status ?? (requested.publishAt ? 'scheduled' : 'published');
  if (status === 'archived') throw BlogErrors.invalidWorkflow('status', 'a new article cannot be archived');
  if (requested.publishAt && status !== 'scheduled') throw BlogErrors.invalidWorkflow('publishAt', 'is only allowed for scheduled articles');
  const draft: WorkflowState = { status: 'draft', publishAt: null, publishedAt: null };
  return status === 'draft' ? { ...draft, becamePublished: false } : applyAction(draft, actionFor(status), now, requested.publishAt);
}

/** The action that leads to a requested status (an update with `status`). */
function actionFor(target: ArticleStatus): WorkflowAction {
  return target === 'published' ? 'publish' : target === 'scheduled' ? 'schedule' : target === 'archived' ? 'archive' : 'unpublish';
}

/**
 * What an update's `status`/`publishAt` mean for an existing article: no change, a transition, or a reschedule.
 */
export function changeForUpdate(
  current: WorkflowState,
  requested: { status?: ArticleStatus; publishAt?: Date | null },
  now: Date,
): WorkflowChange | undefined {
  const target = requested.status ?? (requested.publishAt ? 'scheduled' : undefined);
  if (!target) return undefined;
  if (requested.publishAt && target !== 'scheduled') throw BlogErrors.invalidWorkflow('publishAt', 'is only allowed for scheduled articles');
  if (target === current.status && target !== 'scheduled') return undefined;
  return applyAction(current, actionFor(target), now, requested.publishAt);
}
