import { findAccountById } from '../db/account.repository.js';
import { AuthErrors } from '../domain/auth-errors.js';
import type { AuthDeps } from './auth-deps.js';

/** The caller's account (it may have been deleted since the token was issued). */
export async function getCurrentUser(deps: Pick<AuthDeps, 'em'>, caller: { userId: string }) {
  const account = await findAccountById(deps.em(), caller.userId);
  if (!account) throw AuthErrors.accountNotFound();
  return account;
}
