import { jsonOf, subjectOfIssuedToken } from '../domain/upstream-answer.js';
import { composeUser, type Composed, type CompositionDeps } from './compose-user.js';

/** POST /api/users/login: auth checks the credentials and issues the tokens; the answer gets the profile card. */
export async function logIn(deps: Pick<CompositionDeps, 'upstream' | 'profiles'>, body: { user: { email: string; password: string } }): Promise<Composed> {
  const answer = await deps.upstream('auth', '/api/users/login', { body });
  const token = (jsonOf(answer) as { user?: { token?: string } } | undefined)?.user?.token;
  return token && answer.status === 200 ? composeUser(deps, answer, subjectOfIssuedToken(token)) : { passThrough: answer };
}
