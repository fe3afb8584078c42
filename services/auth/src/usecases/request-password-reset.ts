import { findAccountByEmail } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken } from '../db/one-time-token.repository.js';
import { normalizeEmail } from '../domain/account-rules.js';
import { passwordResetMail } from '../domain/mail-messages.js';
import type { AuthDeps } from './auth-deps.js';

/**
 * Accepts a reset request (throttled per address and client, see throttles.ts) and mails the link after the
 * answer, so the answer takes as long whether or not the address has an account. Earlier links stay valid.
 */
export async function requestPasswordReset(deps: AuthDeps, input: { email: string; source: string }): Promise<void> {
  const email = normalizeEmail(input.email);
  await deps.throttles.consumeResetRequest(email, input.source);
  setImmediate(() => {
    sendResetMail(deps, email).catch((err: unknown) => deps.logger.error({ err }, 'password reset: could not issue the token'));
  });
}

async function sendResetMail(deps: AuthDeps, email: string): Promise<void> {
  const c = deps.config;
  const account = await findAccountByEmail(deps.em().fork(), email);
  const address = account?.email;
  if (!account || !address) return;
  await deps.work.run(async (tx, events) => {
    const token = await issueOneTimeToken(tx, account.id, 'reset_password', c.RESET_TOKEN_TTL_MINUTES, { keepEarlier: true });
    enqueueMail(tx, passwordResetMail(address, c.PUBLIC_BASE_URL, token, c.RESET_TOKEN_TTL_MINUTES));
    events.relayRowWritten();
    events.emit('user.password_reset_requested', { userId: account.id, email: address });
  });
}
