import { defineEntity, p } from '@mikro-orm/core';

/*
 * The entities describe the tables exactly as the migrations make them: columns, defaults, foreign keys, checks and
 * every index, partial and expression ones included, so MikroORM's schema diff against the migrated database is
 * empty (docs/adr/0018-data-access-per-service.md, test/schema.component.test.ts). The migrations stay the source
 * that makes the schema; a migration that changes it changes the entity here too, or that test fails.
 *
 * A foreign key is a many-to-one relation mapped to the primary key (`mapToPk`), so the property stays the plain id
 * it was (`accountId: string`). Each names the constraint Postgres gave it (`<table>_<column>_fkey`) and says no
 * action on update: MikroORM would otherwise declare `on update cascade` for a relation that cascades persist.
 */

const ROLES = ['user', 'editor', 'admin'] as const;

export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  uniques: [
    // Addresses and names are unique whatever their case; lookups use lower(…) (account.repository.ts).
    { name: 'account_email_unique', expression: `create unique index "account_email_unique" on "account" (lower("email"))` },
    { name: 'account_username_unique', expression: `create unique index "account_username_unique" on "account" (lower("username"))` },
  ],
  indexes: [
    { name: 'account_claimed_email_idx', expression: `create index "account_claimed_email_idx" on "account" (lower("claimed_email")) where "claimed_email" is not null` },
  ],
  properties: {
    id: p.uuid().primary(),
    /** The address the account owns (login, mail). Null when the address typed at sign-up belonged to another account. */
    email: p.string().nullable(),
    /** The address typed at sign-up when it was already taken; shown back to this account only, never mailed. */
    claimedEmail: p.string().nullable(),
    username: p.string().length(64),
    passwordHash: p.text(),
    role: p.enum([...ROLES]).default('user'),
    emailVerifiedAt: p.datetime().nullable(),
    /** The identity's version (username, shown address): 1 at registration, one up per change; events carry it. */
    version: p.integer().default(1),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    updatedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});

/** One login on one device, and the family of refresh tokens rotated within it. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'session',
  indexes: [
    // The account's live sessions (listing, revoking).
    { name: 'session_active_idx', expression: `create index "session_active_idx" on "session" ("account_id") where "revoked_at" is null` },
  ],
  properties: {
    id: p.uuid().primary(),
    accountId: p
      .manyToOne(Account)
      .mapToPk()
      .fieldName('account_id')
      .foreignKeyName('session_account_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action')
      .index('session_account_idx'),
    userAgent: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    lastUsedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().length(64).nullable(),
  },
});

/** A refresh token of a session (stored as its SHA-256). `rotatedAt` set = already used: a second use is reuse. */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    tokenHash: p.string().primary(),
    sessionId: p
      .manyToOne(Session)
      .mapToPk()
      .fieldName('session_id')
      .foreignKeyName('refresh_token_session_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action')
      .index('refresh_token_session_idx'),
    issuedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    rotatedAt: p.datetime().nullable(),
  },
});

const TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** A single-use, expiring e-mail token (verification, password reset), stored as its SHA-256. */
export const OneTimeToken = defineEntity({
  name: 'OneTimeToken',
  tableName: 'one_time_token',
  indexes: [{ name: 'one_time_token_account_idx', properties: ['accountId', 'purpose'] }],
  properties: {
    id: p.uuid().primary(),
    tokenHash: p.string().unique('one_time_token_token_hash_key'),
    accountId: p
      .manyToOne(Account)
      .mapToPk()
      .fieldName('account_id')
      .foreignKeyName('one_time_token_account_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    purpose: p.enum([...TOKEN_PURPOSES]),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});

/** A mail written in the same transaction as the change that causes it; the mail relay sends it after commit. */
export const OutgoingMail = defineEntity({
  name: 'OutgoingMail',
  tableName: 'mail_outbox',
  indexes: [
    // The relay's pending mails, and the retention sweep of sent ones.
    { name: 'mail_outbox_pending_idx', expression: `create index "mail_outbox_pending_idx" on "mail_outbox" ("next_attempt_at") where "sent_at" is null` },
    { name: 'mail_outbox_sent_idx', expression: `create index "mail_outbox_sent_idx" on "mail_outbox" ("sent_at") where "sent_at" is not null` },
  ],
  properties: {
    id: p.uuid().primary(),
    toAddress: p.string(),
    subject: p.string(),
    /** Cleared once sent: it may hold a token link. */
    body: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    nextAttemptAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    /** A relay's claim (mail-relay.ts): until when, and by whom; an expired claim may be taken over. */
    leaseUntil: p.datetime().nullable(),
    leaseOwner: p.string().length(128).nullable(),
  },
});
