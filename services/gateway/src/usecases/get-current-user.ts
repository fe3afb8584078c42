import { composeUser, type Composed, type CompositionDeps } from './compose-user.js';

/** GET /api/user: the account from auth and the profile card from user, in at most two calls. */
export async function getCurrentUser(deps: Pick<CompositionDeps, 'upstream' | 'profiles'>, caller: { userId: string }): Promise<Composed> {
  return composeUser(deps, await deps.upstream('auth', '/api/user'), caller.userId);
}
