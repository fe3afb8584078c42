import { displayEmail, findAccountById, setPassword } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { peekOneTimeToken, redeemOneTimeToken, retireOneTimeTokens } from '../db/one-time-token.repository.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { passwordChangedMail } from '../domain/mail-messages.js';
import { hashOpaqueToken } from '../domain/opaque-token.js';
import { assertPasswordFits } from '../domain/password-policy.js';
import type { AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

/**
 * Sets a new password with a mailed reset token: the password is checked against the account before the token is
 * spent (a refused password leaves the link usable), then the token is redeemed once, every reset link retired,
 * every session revoked (session.revoked published at once) and the owner told.
 */
export async function resetPassword(deps: AuthDeps, input: { token: string; password: string }): Promise<void> {
  const tokenHash = hashOpaqueToken(input.token);
  const accountId = await peekOneTimeToken(deps.em(), tokenHash, 'reset_password');
  const account = accountId ? await findAccountById(deps.em(), accountId) : null;
  if (!account) throw AuthErrors.badToken();
  assertPasswordFits(input.password, { username: account.username, email: displayEmail(account) });
  const passwordHash = await deps.hasher.hash(input.password);
  const done = await deps.work.run(async (tx, events) => {
    const redeemedFor = await redeemOneTimeToken(tx, tokenHash, 'reset_password');
    if (!redeemedFor) return false;
    // The mailed link proved the address: it counts as verified.
    const row = await setPassword(tx, redeemedFor, passwordHash, { verifyEmail: true });
    await retireOneTimeTokens(tx, redeemedFor, 'reset_password');
    await endSessions(tx, events, redeemedFor, {}, 'password_reset');
    if (row?.email) {
      enqueueMail(tx, passwordChangedMail(row.email, row.username, 'reset'));
      events.relayRowWritten();
    }
    return true;
  });
  if (!done) throw AuthErrors.badToken();
}
