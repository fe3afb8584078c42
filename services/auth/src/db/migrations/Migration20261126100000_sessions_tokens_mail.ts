import { Migration } from '@mikro-orm/migrations';

/**
 * Refresh-token rotation with reuse detection (refresh_token rows chained to their session, the family),
 * single-use e-mail tokens, the mail outbox, revocation reasons, and e-mail claims that do not reveal
 * whether an address is registered (docs/adr/0004-registration-profile-consistency.md).
 */
export class Migration20261126100000_sessions_tokens_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "refresh_token" ("token_hash" varchar(255) not null primary key,
      "session_id" uuid not null references "session" ("id") on delete cascade,
      "issued_at" timestamptz not null default now(), "rotated_at" timestamptz null)`);
    this.addSql(`create index "refresh_token_session_idx" on "refresh_token" ("session_id")`);
    this.addSql(`insert into "refresh_token" ("token_hash", "session_id", "issued_at") select "refresh_token_hash", "id", "last_used_at" from "session"`);
    this.addSql(`alter table "session" drop column "refresh_token_hash"`);
    this.addSql(`alter table "session" add column "revoked_reason" varchar(64) null`);
    this.addSql(`create index "session_active_idx" on "session" ("account_id") where "revoked_at" is null`);

    this.addSql(`alter table "account" alter column "email" drop not null`);
    this.addSql(`alter table "account" add column "claimed_email" varchar(255) null`);
    this.addSql(`create index "account_claimed_email_idx" on "account" (lower("claimed_email")) where "claimed_email" is not null`);

    this.addSql(`create table "one_time_token" ("id" uuid not null primary key, "token_hash" varchar(255) not null unique,
      "account_id" uuid not null references "account" ("id") on delete cascade,
      "purpose" text check ("purpose" in ('verify_email','reset_password')) not null,
      "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "used_at" timestamptz null)`);
    this.addSql(`create index "one_time_token_account_idx" on "one_time_token" ("account_id", "purpose")`);

    this.addSql(`create table "mail_outbox" ("id" uuid not null primary key, "to_address" varchar(255) not null,
      "subject" varchar(255) not null, "body" text null, "created_at" timestamptz not null default now(),
      "next_attempt_at" timestamptz not null default now(), "sent_at" timestamptz null, "attempts" int not null default 0,
      "last_error" text null)`);
    this.addSql(`create index "mail_outbox_pending_idx" on "mail_outbox" ("next_attempt_at") where "sent_at" is null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mail_outbox"`);
    this.addSql(`drop table if exists "one_time_token"`);
    this.addSql(`drop index if exists "account_claimed_email_idx"`);
    this.addSql(`alter table "account" drop column "claimed_email"`);
    this.addSql(`alter table "session" drop column "revoked_reason"`);
    this.addSql(`alter table "session" add column "refresh_token_hash" varchar(255) null unique`);
    this.addSql(`drop table if exists "refresh_token"`);
  }
}
