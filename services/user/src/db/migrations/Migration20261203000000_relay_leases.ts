import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_LEASE_SQL } from '@vcd/messaging';

/**
 * Relays claim outbox rows with a lease (lease_until, lease_owner) and publish outside any transaction (ADR 15);
 * a row whose lease expired unpublished is claimed again.
 */
export class Migration20261203000000_relay_leases extends Migration {
  override async up(): Promise<void> {
    for (const sql of OUTBOX_LEASE_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox" drop column "lease_until", drop column "lease_owner"`);
  }
}
