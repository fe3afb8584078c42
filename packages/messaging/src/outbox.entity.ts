import { defineEntity, p } from '@mikro-orm/core';

/**
 * The entities describe the tables exactly as the migrations below make them (columns, defaults, indexes), so
 * MikroORM's schema diff against a migrated database is empty (docs/adr/0018-data-access-per-service.md; each
 * service's `schema.component.test.ts`). The DDL stays the source that makes the schema.
 */

/** An event written in the same transaction as the change it describes; the relay publishes it. */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  indexes: [
    // The relay's pending rows (and expired leases, ADR 15), and the retention sweep of published rows.
    { name: 'outbox_unpublished_idx', expression: `create index "outbox_unpublished_idx" on "outbox" ("created_at") where "published_at" is null` },
    { name: 'outbox_published_idx', expression: `create index "outbox_published_idx" on "outbox" ("published_at") where "published_at" is not null` },
  ],
  properties: {
    id: p.uuid().primary(),
    topic: p.string(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    publishedAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    /** W3C traceparent of the writing transaction's span (migration *_outbox_trace_context in each service). */
    traceContext: p.string().length(64).nullable(),
    /** The relay that claimed the row and until when (migration *_relay_leases in each service; ADR 15). */
    leaseUntil: p.datetime().nullable(),
    leaseOwner: p.string().length(128).nullable(),
  },
});

/** Ids of events already handled; written in the same transaction as the handler's effect. */
export const InboxMessage = defineEntity({
  name: 'InboxMessage',
  tableName: 'inbox',
  properties: {
    eventId: p.string().primary(),
    topic: p.string(),
    /** Indexed for the retention sweep (ADR 15). */
    receivedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()).index('inbox_received_idx'),
  },
});

export const messagingEntities = [OutboxMessage, InboxMessage];

/** DDL for the two tables, used by each service's initial migration. */
export const MESSAGING_TABLES_SQL = [
  `create table "outbox" ("id" uuid not null primary key, "topic" varchar(255) not null, "payload" jsonb not null,
    "created_at" timestamptz not null default now(), "published_at" timestamptz null, "attempts" int not null default 0,
    "last_error" text null)`,
  `create index "outbox_unpublished_idx" on "outbox" ("created_at") where "published_at" is null`,
  `create table "inbox" ("event_id" varchar(255) not null primary key, "topic" varchar(255) not null,
    "received_at" timestamptz not null default now())`,
];

/** DDL of the outbox's trace context column (each service's migration *_outbox_trace_context). */
export const OUTBOX_TRACE_CONTEXT_SQL = `alter table "outbox" add column "trace_context" varchar(64) null`;

/**
 * DDL of the relays' leases (each service's migration *_relay_leases, ADR 15): the relay that claimed an outbox row
 * and until when; the pending index now also serves the claim of expired leases.
 */
export const OUTBOX_LEASE_SQL = [
  `alter table "outbox" add column "lease_until" timestamptz null, add column "lease_owner" varchar(128) null`,
];


/** DDL of the retention sweeps (ADR 15): published outbox rows and inbox rows are deleted by age. */
export const MESSAGING_RETENTION_SQL = [
  `create index "outbox_published_idx" on "outbox" ("published_at") where "published_at" is not null`,
  `create index "inbox_received_idx" on "inbox" ("received_at")`,
];
