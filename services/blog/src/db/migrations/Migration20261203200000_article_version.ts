import { Migration } from '@mikro-orm/migrations';

/**
 * Each article's version, incremented by every change in the transaction that writes its post.* event, which
 * carries it: consumers apply an event only if it is newer than what they hold (ADR 15).
 */
export class Migration20261203200000_article_version extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "article" add column "version" int not null default 1`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "article" drop column "version"`);
  }
}
