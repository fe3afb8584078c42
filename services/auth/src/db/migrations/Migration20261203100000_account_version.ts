import { Migration } from '@mikro-orm/migrations';

/**
 * The account's identity version (username, shown address): 1 at registration, one up per change. user.registered
 * and user.updated carry it, so a consumer that receives two renames out of order keeps the newer one.
 */
export class Migration20261203100000_account_version extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "account" add column "version" integer not null default 1`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "account" drop column "version"`);
  }
}
