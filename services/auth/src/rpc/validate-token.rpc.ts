import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthService, type RpcHandler, type ValidateTokenRequest, type ValidateTokenResponse } from '@vcd/contracts';
import { validateSession, type SessionPolicy } from '../usecases/validate-session.js';

/** AuthService.ValidateToken as the gateway calls it (through daprd): the answer of validate-session.ts in protobuf terms. */
export function validateTokenRpc(em: () => EntityManager, policy: SessionPolicy): RpcHandler<ValidateTokenRequest, ValidateTokenResponse> {
  return {
    rpc: AuthService.ValidateToken,
    callers: ['gateway'],
    handle: async ({ sessionId, userId }) => {
      const result = await validateSession({ em, policy }, { sessionId, userId });
      return result.valid
        ? { valid: true, userId, username: result.username, role: result.role, reason: '', activeUntilMs: result.activeUntil.getTime() }
        : { valid: false, userId, username: '', role: '', reason: result.reason, activeUntilMs: 0 };
    },
  };
}
