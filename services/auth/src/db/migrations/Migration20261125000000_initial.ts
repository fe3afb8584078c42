import { Migration } from '@mikro-orm/migrations';
import { MESSAGING_TABLES_SQL } from '@vcd/messaging';

export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "account" ("id" uuid not null primary key, "email" varchar(255) not null,
      "username" varchar(64) not null, "password_hash" text not null, "role" text check ("role" in ('user','editor','admin')) not null default 'user',
      "email_verified_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now())`);
    this.addSql(`create unique index "account_email_unique" on "account" (lower("email"))`);
    this.addSql(`create unique index "account_username_unique" on "account" (lower("username"))`);
    this.addSql(`create table "session" ("id" uuid not null primary key, "account_id" uuid not null references "account" ("id") on delete cascade,
      "refresh_token_hash" varchar(255) not null unique, "user_agent" text null, "created_at" timestamptz not null default now(),
      "last_used_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" timestamptz null)`);
    this.addSql(`create index "session_account_idx" on "session" ("account_id")`);
    for (const sql of MESSAGING_TABLES_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const t of ['inbox', 'outbox', 'session', 'account']) this.addSql(`drop table if exists "${t}"`);
  }
}
