import type { EntityManager } from '@mikro-orm/postgresql';
import type { Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';

/**
 * Publishes one committed outbox row right away, ahead of the relay's queue: for session.revoked, which the
 * gateway must hear within a second. The CloudEvent is the one the relay would send (same id), so when both
 * publish it, consumers see a duplicate they already ignore. On failure the row stays for the relay.
 */
export function immediatePublisher(deps: { em: EntityManager; sidecar: Sidecar; source: string; logger: Logger }) {
  return async function publishNow(eventId: string): Promise<void> {
    const em = deps.em.fork();
    try {
      const [row] = (await em.execute(`select id, topic, payload, created_at from outbox where id = ? and published_at is null`, [eventId])) as {
        id: string;
        topic: string;
        payload: Record<string, unknown>;
        created_at: Date;
      }[];
      if (!row) return;
      await deps.sidecar.publishCloudEvent(row.topic, {
        specversion: '1.0',
        id: row.id,
        source: deps.source,
        type: row.topic,
        datacontenttype: 'application/json',
        time: new Date(row.created_at).toISOString(),
        data: row.payload,
      });
      await em.execute(`update outbox set published_at = now(), attempts = attempts + 1 where id = ? and published_at is null`, [row.id]);
    } catch (err) {
      deps.logger.warn({ err, eventId }, 'immediate publish failed; the outbox relay will publish it');
    }
  };
}
