import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventPayloads, Topic } from '@vcd/contracts';
import { enqueueEvent } from './outbox.js';

/** Where a use case records the events of its change: written to the outbox in the same transaction. */
export interface EventSink {
  /**
   * Records `topic` with `data` (typed by the event catalogue). `urgent` events (session.revoked,
   * user.role_changed: the gateway must hear them within a second) are published right after commit, ahead of the
   * relay's queue. Returns the event's id (the CloudEvent id).
   */
  emit<T extends Topic>(topic: T, data: EventPayloads[T], options?: { urgent?: boolean }): string;
  /** The change wrote a row another relay sends (auth's mail outbox): wake the relays after commit too. */
  relayRowWritten(): void;
}

/** What the service wires once (main.ts): what happens after a transaction that recorded events committed. */
export interface CommitHooks {
  /** Wakes the relays; `urgentEventIds` are published at once. Never throws into the caller. */
  afterCommit(urgentEventIds: string[]): void;
}

/**
 * The one way a service changes data and emits events: `run` opens a transaction, hands the work its
 * EntityManager and an EventSink, commits, and only then wakes the relays (and publishes urgent events). Nothing
 * is published for a transaction that rolled back, and no caller places an afterCommit by hand.
 */
export class UnitOfWork {
  constructor(
    private readonly em: () => EntityManager,
    private readonly hooks: CommitHooks = { afterCommit: () => undefined },
  ) {}

  async run<T>(work: (tx: EntityManager, events: EventSink) => Promise<T>): Promise<T> {
    const recorded: string[] = [];
    const urgent: string[] = [];
    let relayRows = false;
    const result = await this.em().transactional(async (tx) => {
      // A retried or nested transaction starts over: only the events of the attempt that commits count.
      recorded.length = 0;
      urgent.length = 0;
      relayRows = false;
      const sink: EventSink = {
        emit: (topic, data, options) => {
          const id = enqueueEvent(tx, topic, data as unknown as Record<string, unknown>);
          recorded.push(id);
          if (options?.urgent) urgent.push(id);
          return id;
        },
        relayRowWritten: () => {
          relayRows = true;
        },
      };
      return work(tx, sink);
    });
    if (recorded.length > 0 || relayRows) this.notify(urgent);
    return result;
  }

  private notify(urgent: string[]): void {
    try {
      this.hooks.afterCommit(urgent);
    } catch {
      // The relays' poll picks the rows up; a wake-up must never fail a committed change.
    }
  }
}

/**
 * The commit hooks of a service, wired once in its main.ts: after a transaction that recorded events commits, wake
 * `relays`, publish the urgent events at once through `publishNow` (when the service has any), and run
 * `onCommit` (e.g. empty a cache of what the change made stale). A failing wake-up is logged by its relay, never
 * thrown into the request.
 */
export function relayHooks(options: {
  relays: { notify(): void }[];
  publishNow?: (eventId: string) => Promise<unknown>;
  onCommit?: () => void;
}): CommitHooks {
  return {
    afterCommit: (urgentEventIds) => {
      options.onCommit?.();
      for (const id of urgentEventIds) void options.publishNow?.(id).catch(() => undefined);
      for (const relay of options.relays) relay.notify();
    },
  };
}
