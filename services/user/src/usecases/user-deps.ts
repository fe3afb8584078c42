import type { EntityManager } from '@mikro-orm/postgresql';
import type { UnitOfWork } from '@vcd/messaging';
import type { ServiceStats } from '../domain/call-stats.js';

/** What the user service's use cases need; app.ts builds it, tests can build their own. */
export interface UserDeps {
  /** The request's EntityManager (one fork per request). */
  em: () => EntityManager;
  /**
   * The one way a use case changes data and emits events: one transaction, events to the outbox, the relay woken
   * after commit (wired in main.ts).
   */
  work: UnitOfWork;
  stats: ServiceStats;
}
