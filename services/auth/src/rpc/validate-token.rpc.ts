import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthService, serveRpc } from '@vcd/contracts';
import { validateSession, type SessionPolicy } from '../usecases/validate-session.js';

/**
 * AuthService.ValidateToken as the gateway calls it (through daprd): the answer of validate-session.ts in the types
 * generated from proto/auth/v1/auth.proto (`active_until_ms` is an int64, so a bigint).
 */
export function validateTokenRpc(em: () => EntityManager, policy: SessionPolicy) {
  return serveRpc(
    AuthService.ValidateToken,
    async ({ sessionId, userId }) => {
      const result = await validateSession({ em, policy }, { sessionId, userId });
      return result.valid
        ? { valid: true, userId, username: result.username, role: result.role, reason: '', activeUntilMs: BigInt(result.activeUntil.getTime()) }
        : { valid: false, userId, username: '', role: '', reason: result.reason, activeUntilMs: 0n };
    },
    { callers: ['gateway'] },
  );
}
