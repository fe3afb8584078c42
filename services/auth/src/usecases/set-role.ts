import { findAccountByUsername } from '../db/account.repository.js';
import { AuthErrors } from '../domain/auth-errors.js';
import type { AuthDeps } from './auth-deps.js';

export type Role = 'user' | 'editor' | 'admin';

/**
 * Sets a user's role. A change is published as user.role_changed, written to the outbox in the same transaction
 * and published right after commit (like session.revoked), so the gateway drops the user's cached sessions and
 * the new role applies at once; setting the role a user already has publishes nothing.
 */
export async function setRole(deps: Pick<AuthDeps, 'work'>, input: { username: string; role: Role }) {
  return deps.work.run(async (tx, events) => {
    const account = await findAccountByUsername(tx, input.username);
    if (!account) throw AuthErrors.userNotFound();
    if (account.role === input.role) return account;
    account.role = input.role;
    account.updatedAt = new Date();
    events.emit('user.role_changed', { userId: account.id, role: input.role }, { urgent: true });
    await tx.flush();
    return account;
  });
}
