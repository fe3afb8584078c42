import { markEmailVerified } from '../db/account.repository.js';
import { redeemOneTimeToken } from '../db/one-time-token.repository.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { hashOpaqueToken } from '../domain/opaque-token.js';
import type { AuthDeps } from './auth-deps.js';

/** Confirms an address with the token of a mailed link (once); user.verified tells the other services. */
export async function verifyEmail(deps: Pick<AuthDeps, 'work'>, input: { token: string }): Promise<void> {
  const verified = await deps.work.run(async (tx, events) => {
    const accountId = await redeemOneTimeToken(tx, hashOpaqueToken(input.token), 'verify_email');
    if (!accountId) return false;
    await markEmailVerified(tx, accountId);
    events.emit('user.verified', { userId: accountId });
    return true;
  });
  if (!verified) throw AuthErrors.badToken();
}
