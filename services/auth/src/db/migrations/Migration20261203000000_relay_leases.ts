import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_LEASE_SQL } from '@vcd/messaging';

/**
 * The outbox relay and the mail relay claim rows with a lease (lease_until, lease_owner) and publish or send outside
 * any transaction (ADR 15); a row whose lease expired unsent is claimed again.
 */
export class Migration20261203000000_relay_leases extends Migration {
  override async up(): Promise<void> {
    for (const sql of OUTBOX_LEASE_SQL) this.addSql(sql);
    this.addSql(`alter table "mail_outbox" add column "lease_until" timestamptz null, add column "lease_owner" varchar(128) null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "mail_outbox" drop column "lease_until", drop column "lease_owner"`);
    this.addSql(`alter table "outbox" drop column "lease_until", drop column "lease_owner"`);
  }
}
