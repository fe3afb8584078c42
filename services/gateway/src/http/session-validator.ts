import { AuthService, type DaprGrpcInvoker, type ValidateTokenResponse } from '@vcd/contracts';
import type { Role } from '@vcd/http';
import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';

export interface SessionState {
  valid: boolean;
  role: Role;
  username: string;
}

const REVOKED: SessionState = { valid: false, role: 'user', username: '' };

/**
 * Is the session behind a token still alive? Asks the auth service over gRPC through Dapr (ValidateToken) and
 * caches the answer for `ttlMs`, keyed by session **and** subject: a token that names someone else's session
 * is asked about on its own and can neither use nor overwrite the owner's entry. `session.revoked` drops a
 * session at once, `user.role_changed` every session of that user. Concurrent look-ups share one call.
 *
 * Auth's answer also says until when the session lives unless used again (its idle deadline). An answer is
 * reused for at most half the time left until then, so the gateway asks again, and so records the use and slides
 * the deadline, well before an active session could go idle, however short the idle timeout is configured.
 */
export class SessionValidator {
  /** sessionId → (userId → cached state); the least recently used sessions go first beyond `maxSessions`. */
  private readonly cache: LRUCache<string, Map<string, { state: SessionState; until: number }>>;
  /** userId → its cached sessionIds, for role changes (kept in step with the cache as sessions are evicted). */
  private readonly byUser = new Map<string, Set<string>>();
  private readonly inflight = new Map<string, Promise<SessionState>>();
  /** Invalidations that arrived while a call was in flight win over its answer (kept far longer than a call takes). */
  private readonly invalidatedAt = new LRUCache<string, number>({ max: 10_000, ttl: 10_000 });

  constructor(
    private readonly grpc: DaprGrpcInvoker,
    private readonly ttlMs: number,
    maxSessions = 100_000,
  ) {
    this.cache = new LRUCache({
      max: maxSessions,
      dispose: (subjects, sessionId) => {
        for (const userId of subjects.keys()) {
          const sessions = this.byUser.get(userId);
          sessions?.delete(sessionId);
          if (sessions?.size === 0) this.byUser.delete(userId);
        }
      },
    });
  }

  async check(sessionId: string, userId: string): Promise<SessionState> {
    const now = Date.now();
    const hit = this.cache.get(sessionId)?.get(userId);
    recordCacheLookup('sessions', !!hit && hit.until > now);
    if (hit && hit.until > now) return hit.state;
    const key = `${sessionId}\u0000${userId}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      const askedAt = Date.now();
      pending = this.grpc
        .call(AuthService.ValidateToken, { sessionId, userId }, { timeoutMs: 2000 })
        .then((res: ValidateTokenResponse) => {
          const owned = res.valid && res.userId === userId;
          const state: SessionState = owned ? { valid: true, role: (res.role || 'user') as Role, username: res.username } : REVOKED;
          const invalidated = Math.max(this.invalidatedAt.get(`s:${sessionId}`) ?? 0, this.invalidatedAt.get(`u:${userId}`) ?? 0);
          // Only the owner's own answers are remembered; a refused subject leaves no trace in the cache.
          if (owned && invalidated < askedAt) this.remember(sessionId, userId, state, this.reuseFor(Number(res.activeUntilMs)));
          return state;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Called for session.revoked: these sessions are refused from now on (auth says so too). */
  revoke(sessionIds: string[]): void {
    const now = Date.now();
    for (const id of sessionIds) {
      const subjects = this.cache.get(id);
      for (const [userId, entry] of subjects ?? []) subjects!.set(userId, { state: REVOKED, until: Math.max(entry.until, now + this.ttlMs) });
      this.invalidatedAt.set(`s:${id}`, now);
    }
  }

  /** Called for user.role_changed: the user's next request asks auth again and gets the new role. */
  forgetUser(userId: string): void {
    for (const sessionId of this.byUser.get(userId) ?? []) {
      const subjects = this.cache.get(sessionId);
      if (subjects?.get(userId)?.state.valid) subjects.delete(userId);
    }
    this.invalidatedAt.set(`u:${userId}`, Date.now());
  }

  /** How long an answer may be reused: the TTL, but at most half the time the session has left unless used. */
  private reuseFor(activeUntilMs: number): number {
    if (!Number.isFinite(activeUntilMs) || activeUntilMs <= 0) return this.ttlMs;
    return Math.max(0, Math.min(this.ttlMs, Math.floor((activeUntilMs - Date.now()) / 2)));
  }

  private remember(sessionId: string, userId: string, state: SessionState, reuseMs = this.ttlMs): void {
    if (reuseMs <= 0) return;
    this.put(sessionId, userId, state, reuseMs);
    let sessions = this.byUser.get(userId);
    if (!sessions) this.byUser.set(userId, (sessions = new Set()));
    sessions.add(sessionId);
  }

  private put(sessionId: string, userId: string, state: SessionState, reuseMs = this.ttlMs): void {
    let subjects = this.cache.get(sessionId);
    if (!subjects) this.cache.set(sessionId, (subjects = new Map()));
    subjects.set(userId, { state, until: Date.now() + reuseMs });
  }
}
