import { Migration } from '@mikro-orm/migrations';
import { MESSAGING_TABLES_SQL } from '@vcd/messaging';

export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "tag" ("id" serial primary key, "name" varchar(64) not null unique)`);
    for (const sql of MESSAGING_TABLES_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "inbox"');
    this.addSql('drop table if exists "outbox"');
    this.addSql('drop table if exists "tag"');
  }
}
