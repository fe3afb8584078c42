import { notFound } from '@vcd/errors';
import { enqueueEvent } from '@vcd/messaging';
import { findAccountByUsername } from '../db/account.repository.js';
import type { AuthDeps } from './auth-deps.js';

export type Role = 'user' | 'editor' | 'admin';

/**
 * Sets a user's role. A change is published as user.role_changed, written to the outbox in the same transaction
 * and published right after commit (like session.revoked), so the gateway drops the user's cached sessions and
 * the new role applies at once; setting the role a user already has publishes nothing.
 */
export async function setRole(deps: AuthDeps, input: { username: string; role: Role }) {
  const { account, eventId } = await deps.em().transactional(async (tx) => {
    const account = await findAccountByUsername(tx, input.username);
    if (!account) throw notFound('AUTH.USER_NOT_FOUND', 'No user with this username', 'user');
    if (account.role === input.role) return { account, eventId: undefined };
    account.role = input.role;
    account.updatedAt = new Date();
    const eventId = enqueueEvent(tx, 'user.role_changed', { userId: account.id, role: input.role });
    await tx.flush();
    return { account, eventId };
  });
  if (eventId) deps.afterCommit(eventId);
  return account;
}
