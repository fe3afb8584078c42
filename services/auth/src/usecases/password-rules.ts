import { validationError } from '@vcd/errors';
import { passwordContextProblems } from '../domain/password-policy.js';

/** A new password must not contain the account's username or e-mail name (the rest is checked with the request). */
export function assertPasswordFits(password: string, account: { username?: string; email?: string }): void {
  const problems = passwordContextProblems(password, account);
  if (problems.length > 0) throw validationError({ password: problems });
}
