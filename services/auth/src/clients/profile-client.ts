import type { Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';

/**
 * Creates the user's profile in the user service right after registration commits (Dapr service invocation,
 * idempotent endpoint), so the profile is readable as soon as the 201 is out. A failure or timeout is logged,
 * not returned: the user.registered event from the outbox creates the profile shortly after
 * (docs/adr/0004-registration-profile-consistency.md).
 */
export function profileCreator(deps: { sidecar: Sidecar; logger: Logger; timeoutMs: number }) {
  return async function createProfile(user: { userId: string; username: string }): Promise<boolean> {
    try {
      const res = await deps.sidecar.invoke('user', 'internal/profiles', {
        method: 'POST',
        body: user,
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      if (res.ok) {
        await res.arrayBuffer();
        return true;
      }
      deps.logger.warn({ status: res.status, body: (await res.text()).slice(0, 300), userId: user.userId }, 'profile creation answered an error; the event will create it');
    } catch (err) {
      deps.logger.warn({ err, userId: user.userId }, 'profile creation failed; the event will create it');
    }
    return false;
  };
}
