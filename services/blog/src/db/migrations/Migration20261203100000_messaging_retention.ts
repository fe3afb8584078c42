import { Migration } from '@mikro-orm/migrations';
import { MESSAGING_RETENTION_SQL } from '@vcd/messaging';

/** Indexes for the retention sweeps of the outbox (published rows) and the inbox (ADR 15). */
export class Migration20261203100000_messaging_retention extends Migration {
  override async up(): Promise<void> {
    for (const sql of MESSAGING_RETENTION_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "outbox_published_idx"`);
    this.addSql(`drop index if exists "inbox_received_idx"`);
  }
}
