import { findAccountById } from '../db/account.repository.js';
import { rotateRefreshToken } from '../db/session.repository.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { hashOpaqueToken, newOpaqueToken } from '../domain/opaque-token.js';
import { accessTokenFor, sessionPolicy, type AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

/**
 * Exchanges a refresh token for a short access token and the next refresh token of the same session (rotation).
 * A token that was already used means a stolen copy somewhere: its whole session (the token family) is revoked,
 * with session.revoked published at once, and the caller is refused.
 */
export async function refreshSession(deps: AuthDeps, input: { refreshToken: string }) {
  const next = newOpaqueToken();
  const result = await deps.work.run(async (tx, events) => {
    const rotation = await rotateRefreshToken(tx, hashOpaqueToken(input.refreshToken), next.hash, sessionPolicy(deps));
    if (rotation.kind === 'spent') await endSessions(tx, events, rotation.accountId, { sessionId: rotation.sessionId }, 'refresh_token_reuse');
    return rotation;
  });
  if (result.kind === 'spent') throw AuthErrors.refreshTokenReused();
  if (result.kind !== 'rotated') throw AuthErrors.invalidRefreshToken();
  const account = await findAccountById(deps.em(), result.accountId);
  if (!account) throw AuthErrors.invalidRefreshToken();
  return { account, accessToken: await accessTokenFor(deps, account, result.sessionId), refreshToken: next.token };
}
