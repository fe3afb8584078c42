import { findAccountById } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken } from '../db/one-time-token.repository.js';
import { verificationMail } from '../domain/mail-messages.js';
import type { AuthDeps } from './auth-deps.js';

/**
 * Mails a new verification link (earlier links stop working), paid for per account; nothing is sent when the
 * account owns no address or has verified it already.
 */
export async function resendVerification(deps: AuthDeps, caller: { userId: string }): Promise<void> {
  const c = deps.config;
  await deps.throttles.consumeVerificationMail(caller.userId);
  const account = await findAccountById(deps.em(), caller.userId);
  const address = account?.email;
  if (!account || !address || account.emailVerifiedAt) return;
  await deps.work.run(async (tx, events) => {
    const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
    enqueueMail(tx, verificationMail(address, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
    events.relayRowWritten();
  });
}
