import { findAccountByEmail, findClaimsOfEmail } from '../db/account.repository.js';
import { insertSession } from '../db/session.repository.js';
import { normalizeEmail } from '../domain/account-rules.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { newOpaqueToken } from '../domain/opaque-token.js';
import { MAX_CLAIMS_PER_ADDRESS, matchPassword } from '../domain/password-match.js';
import { sessionExpiry, type AuthDeps } from './auth-deps.js';

/**
 * Logs in with an address and a password: the attempt is paid for before the password is checked (throttles.ts),
 * the password is tried against the address's owner and claimants at a cost that does not depend on them
 * (password-match.ts), and a success starts a session.
 */
export async function logIn(deps: AuthDeps, input: { email: string; password: string; source: string; userAgent?: string }) {
  const email = normalizeEmail(input.email);
  const check = await deps.throttles.beginPasswordCheck(email, input.source);
  const em = deps.em();
  const [owner, claims] = await Promise.all([findAccountByEmail(em, email), findClaimsOfEmail(em, email, MAX_CLAIMS_PER_ADDRESS)]);
  const account = await matchPassword({ owner, claims }, input.password, (hash, password) => deps.hasher.verify(hash, password));
  if (!account) throw AuthErrors.invalidCredentials();
  await check.succeeded(account === owner);
  const refresh = newOpaqueToken();
  const expiresAt = sessionExpiry(deps);
  const session = await insertSession(em, { accountId: account.id, refreshTokenHash: refresh.hash, expiresAt, userAgent: input.userAgent });
  return { account, session: { id: session.id, expiresAt }, refreshToken: refresh.token };
}
