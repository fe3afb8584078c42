import { DomainError } from '@vcd/errors/domain';

/**
 * The blog service's failures, with their stable codes. No HTTP here: the error middleware maps each kind to a
 * status (invalid 422, forbidden 403, not_found 404, conflict 409), and RealWorld clients read the field or subject.
 */
export const BlogErrors = {
  articleNotFound: (slug: string) => DomainError.notFound('BLOG.ARTICLE_NOT_FOUND', `No article "${slug}"`, 'article'),
  commentNotFound: (id: number) => DomainError.notFound('BLOG.COMMENT_NOT_FOUND', `No comment ${id} on this article`, 'comment'),
  tagNotFound: (tag: string) => DomainError.notFound('BLOG.TAG_NOT_FOUND', `No published article is tagged "${tag}"`, 'tag'),
  authorNotFound: (username: string) => DomainError.notFound('BLOG.AUTHOR_NOT_FOUND', `No author "${username}"`, 'author'),
  categoryNotFound: (slug: string) => DomainError.notFound('BLOG.CATEGORY_NOT_FOUND', `No category "${slug}"`, 'category'),
  /** A new or renamed category whose name (or slug) another category holds. */
  categoryNameTaken: () => DomainError.invalid({ name: ['has already been taken'] }),
  /** An article names a category that does not exist. */
  unknownCategory: () => DomainError.invalid({ category: ['does not exist'] }),
  /** A reply to a comment that is not on the same article. */
  unknownParentComment: () => DomainError.invalid({ parentId: ['does not exist on this article'] }),
  idempotencyKeyReused: () =>
    DomainError.conflict('BLOG.IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request', {
      subject: 'Idempotency-Key',
      reason: 'was already used for a different request',
    }),
  notArticleManager: () =>
    DomainError.forbidden('BLOG.NOT_ARTICLE_AUTHOR', 'Only the author or an editor may change this article', {
      subject: 'article',
      reason: 'can only be changed by its author or an editor',
    }),
  notCommentAuthor: () =>
    DomainError.forbidden('BLOG.NOT_COMMENT_AUTHOR', 'Only the author may edit this comment', { subject: 'comment', reason: 'can only be edited by its author' }),
  notCommentModerator: () =>
    DomainError.forbidden('BLOG.NOT_COMMENT_AUTHOR', 'Only the author or a moderator may delete this comment', {
      subject: 'comment',
      reason: 'can only be deleted by its author or a moderator',
    }),
  /** A workflow action the article's current status does not allow. */
  invalidTransition: (from: string, action: string) => {
    const done = action === 'unpublish' ? 'unpublished' : `${action}d`;
    return DomainError.conflict('BLOG.INVALID_TRANSITION', `A ${from} article cannot be ${done}`, { subject: 'article', reason: `is ${from} and cannot be ${done}` });
  },
  /** Workflow input that breaks a rule (status, publishAt). */
  invalidWorkflow: (field: 'status' | 'publishAt', problem: string) => DomainError.invalid({ [field]: [problem] }),
};
