import { AuthService, type DaprGrpcInvoker, type ValidateTokenResponse } from '@vcd/contracts';
import type { Role } from '@vcd/http';

export interface SessionState {
  valid: boolean;
  role: Role;
  username: string;
}

/**
 * Is the session behind a token still alive? Asks the auth service over gRPC through Dapr (ValidateToken) and
 * caches the answer for `ttlMs`; `session.revoked` events drop entries at once. Concurrent look-ups of one
 * session share one call.
 */
export class SessionValidator {
  private readonly cache = new Map<string, { state: SessionState; until: number }>();
  private readonly inflight = new Map<string, Promise<SessionState>>();
  private readonly revokedUntil = new Map<string, number>();

  constructor(
    private readonly grpc: DaprGrpcInvoker,
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  async check(sessionId: string, userId: string): Promise<SessionState> {
    const now = Date.now();
    const hit = this.cache.get(sessionId);
    if (hit && hit.until > now) return hit.state;
    let pending = this.inflight.get(sessionId);
    if (!pending) {
      pending = this.grpc
        .call(AuthService.ValidateToken, { sessionId, userId }, { timeoutMs: 2000 })
        .then((res: ValidateTokenResponse) => {
          const state: SessionState = { valid: res.valid && res.userId === userId, role: (res.role || 'user') as Role, username: res.username };
          // A revocation that arrived while this call was in flight wins.
          if ((this.revokedUntil.get(sessionId) ?? 0) < Date.now()) this.remember(sessionId, state);
          return state;
        })
        .finally(() => this.inflight.delete(sessionId));
      this.inflight.set(sessionId, pending);
    }
    return pending;
  }

  /** Called for session.revoked: the next request with these sessions asks auth again (and is refused). */
  revoke(sessionIds: string[]): void {
    const until = Date.now() + 5_000;
    for (const id of sessionIds) {
      this.cache.set(id, { state: { valid: false, role: 'user', username: '' }, until: Date.now() + this.ttlMs });
      this.revokedUntil.set(id, until);
    }
    if (this.revokedUntil.size > 10_000) for (const [id, t] of this.revokedUntil) if (t < Date.now()) this.revokedUntil.delete(id);
  }

  private remember(sessionId: string, state: SessionState): void {
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sessionId, { state, until: Date.now() + this.ttlMs });
  }
}
