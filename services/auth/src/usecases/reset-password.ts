import { validationError } from '@vcd/errors';
import { displayEmail, findAccountById } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { peekOneTimeToken, redeemOneTimeToken } from '../db/one-time-token.repository.js';
import { revokeSessions } from '../db/session.repository.js';
import { passwordChangedMail } from '../domain/mail-messages.js';
import { hashOpaqueToken } from '../domain/opaque-token.js';
import type { AuthDeps } from './auth-deps.js';
import { assertPasswordFits } from './password-rules.js';

export const badToken = () => validationError({ token: ['is invalid, already used or expired'] }, 'AUTH.INVALID_TOKEN');

/**
 * Sets a new password with a mailed reset token: the password is checked against the account before the token is
 * spent (a refused password leaves the link usable), then the token is redeemed once, every reset link retired,
 * every session revoked (session.revoked published at once) and the owner told.
 */
export async function resetPassword(deps: AuthDeps, input: { token: string; password: string }): Promise<void> {
  const tokenHash = hashOpaqueToken(input.token);
  const accountId = await peekOneTimeToken(deps.em(), tokenHash, 'reset_password');
  const account = accountId ? await findAccountById(deps.em(), accountId) : null;
  if (!account) throw badToken();
  assertPasswordFits(input.password, { username: account.username, email: displayEmail(account) });
  const passwordHash = await deps.hasher.hash(input.password);
  const done = await deps.em().transactional(async (tx) => {
    const redeemedFor = await redeemOneTimeToken(tx, tokenHash, 'reset_password');
    if (!redeemedFor) return undefined;
    const [row] = (await tx.execute(
      `update account set password_hash = ?, email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = ? returning email, username`,
      [passwordHash, redeemedFor],
    )) as { email: string | null; username: string }[];
    await tx.execute(`update one_time_token set used_at = now() where account_id = ? and purpose = 'reset_password' and used_at is null`, [redeemedFor]);
    const { eventId } = await revokeSessions(tx, redeemedFor, {}, 'password_reset');
    if (row?.email) enqueueMail(tx, passwordChangedMail(row.email, row.username, 'reset'));
    return { eventId };
  });
  if (!done) throw badToken();
  deps.afterCommit(done.eventId);
}
