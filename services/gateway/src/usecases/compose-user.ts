import type { ProfileCard } from '../clients/user-profiles.js';
import { jsonOf, type UpstreamAnswer } from '../domain/upstream-answer.js';

/**
 * What the user-composition use cases need (not a use case). The RealWorld `user` object spans two services:
 * e-mail, username and credentials live in auth, bio and image in user. `upstream` calls a service's HTTP API
 * on behalf of the current request (its identity and headers travel with it; http/ binds it to the request).
 */
export interface CompositionDeps {
  upstream: (appId: 'auth' | 'user', path: string, override?: { method?: string; body?: unknown }) => Promise<UpstreamAnswer>;
  /** Profile cards, kept a few seconds (clients/cached-profile-cards.ts); `forget` drops one its owner changed. */
  profiles: { cardOf(userId: string, options?: { fresh?: boolean }): Promise<ProfileCard>; forget(userId: string): void };
  log: { error(obj: object, msg: string): void };
}

/** The composed user, or a downstream answer the client gets as it is (a refusal, an error). */
export type Composed = { user: Record<string, unknown> } | { passThrough: UpstreamAnswer };

/** auth's answer with the account's bio and image from the user service (a refusal passes through). */
export async function composeUser(deps: Pick<CompositionDeps, 'profiles'>, answer: UpstreamAnswer, userId: string): Promise<Composed> {
  const body = jsonOf(answer) as { user?: Record<string, unknown> } | undefined;
  if (answer.status !== 200 || !body?.user) return { passThrough: answer };
  return { user: { ...body.user, ...(await deps.profiles.cardOf(userId)) } };
}
