import { Migration } from '@mikro-orm/migrations';

/** Idempotency keys of creates: a retried request with the same key finds what the first one created. */
export class Migration20261129000000_idempotency_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_key" (
      "owner_id" uuid not null,
      "key" varchar(255) not null,
      "operation" varchar(40) not null,
      "request_hash" char(64) not null,
      "resource_id" text not null,
      "created_at" timestamptz not null default now(),
      primary key ("owner_id", "key"))`);
    this.addSql(`create index "idempotency_key_created_at_idx" on "idempotency_key" ("created_at")`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_key"`);
  }
}
