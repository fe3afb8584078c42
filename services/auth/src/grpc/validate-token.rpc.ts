import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthService, type RpcHandler, type ValidateTokenRequest, type ValidateTokenResponse } from '@vcd/contracts';
import { sessionStatus } from '../db/session.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is the session behind an access token still valid, and who is its user now (name and role may have changed)? */
export function validateTokenRpc(em: () => EntityManager): RpcHandler<ValidateTokenRequest, ValidateTokenResponse> {
  return {
    rpc: AuthService.ValidateToken,
    callers: ['gateway'],
    handle: async ({ sessionId, userId }) => {
      const invalid = (reason: string): ValidateTokenResponse => ({ valid: false, userId, username: '', role: '', reason });
      if (!UUID.test(sessionId) || !UUID.test(userId)) return invalid('unknown');
      const status = await sessionStatus(em().fork(), sessionId);
      if (!status || status.accountId !== userId) return invalid('unknown');
      if (status.revoked) return invalid('revoked');
      if (status.expired) return invalid('expired');
      return { valid: true, userId, username: status.username, role: status.role, reason: '' };
    },
  };
}
