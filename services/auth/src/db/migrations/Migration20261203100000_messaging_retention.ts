import { Migration } from '@mikro-orm/migrations';
import { MESSAGING_RETENTION_SQL } from '@vcd/messaging';

/** Indexes for the retention sweeps of the outbox, the inbox and the mail outbox (sent rows; ADR 15). */
export class Migration20261203100000_messaging_retention extends Migration {
  override async up(): Promise<void> {
    for (const sql of MESSAGING_RETENTION_SQL) this.addSql(sql);
    this.addSql(`create index "mail_outbox_sent_idx" on "mail_outbox" ("sent_at") where "sent_at" is not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "mail_outbox_sent_idx"`);
    this.addSql(`drop index if exists "outbox_published_idx"`);
    this.addSql(`drop index if exists "inbox_received_idx"`);
  }
}
