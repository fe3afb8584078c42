/** Reactions anyone may leave on an article or a comment, one per user per kind. */
export const REACTION_KINDS = ['like', 'love', 'insightful', 'celebrate', 'curious'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

/** RealWorld favorites are stored as reactions of this kind (and counted apart from the others). */
export const FAVORITE = 'favorite';

/** Counts of every public kind, zero included, so clients see the same keys every time. */
export function reactionCounts(counts: Record<string, number> | null | undefined): Record<ReactionKind, number> {
  return Object.fromEntries(REACTION_KINDS.map((k) => [k, Number(counts?.[k] ?? 0)])) as Record<ReactionKind, number>;
}
