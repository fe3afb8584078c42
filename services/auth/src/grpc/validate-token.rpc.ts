import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthService, type RpcHandler, type ValidateTokenRequest, type ValidateTokenResponse } from '@vcd/contracts';
import { useSession, type SessionPolicy } from '../db/session.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Is the session behind an access token still valid, and who is its user now (name and role may have changed)?
 * The gateway asks on every request it has no fresh answer cached for, so this is also where a session's use is
 * recorded (its idle deadline slides) and where an idle session ends.
 */
export function validateTokenRpc(em: () => EntityManager, policy: SessionPolicy): RpcHandler<ValidateTokenRequest, ValidateTokenResponse> {
  return {
    rpc: AuthService.ValidateToken,
    callers: ['gateway'],
    handle: async ({ sessionId, userId }) => {
      const invalid = (reason: string): ValidateTokenResponse => ({ valid: false, userId, username: '', role: '', reason, activeUntilMs: 0 });
      if (!UUID.test(sessionId) || !UUID.test(userId)) return invalid('unknown');
      const status = await useSession(em().fork(), sessionId, userId, policy);
      if (!status || status.accountId !== userId) return invalid('unknown');
      if (status.revoked) return invalid('revoked');
      if (status.expired) return invalid('expired');
      if (status.idle) return invalid('idle');
      return { valid: true, userId, username: status.username, role: status.role, reason: '', activeUntilMs: status.activeUntil.getTime() };
    },
  };
}
