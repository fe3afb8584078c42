import { Migration } from '@mikro-orm/migrations';

/**
 * Activity entries and notifications name their article by id; its slug and title live once, in the `article`
 * projection, and only while it is published (security: nothing shows a draft's or an unpublished article's slug
 * or title). Rows written before this migration carry no article id: they keep no slug or title either, so
 * activity entries among them are no longer listed and notifications among them show no article.
 */
export class Migration20261201000000_article_visibility extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "article" ("article_id" varchar(64) not null primary key, "slug" varchar(255) null,
      "title" text null, "status" varchar(16) not null, "changed_at" timestamptz not null,
      constraint "article_status_check" check ("status" in ('published', 'hidden', 'deleted')))`);
    this.addSql(`alter table "activity" add column "article_id" varchar(64) null`);
    this.addSql(`alter table "activity" drop column "article_slug", drop column "article_title"`);
    this.addSql(`create index "activity_article_idx" on "activity" ("article_id")`);
    this.addSql(`alter table "notification" add column "article_id" varchar(64) null`);
    this.addSql(`alter table "notification" drop column "article_slug", drop column "article_title"`);
    this.addSql(`create index "notification_article_idx" on "notification" ("article_id") where "article_id" is not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "notification_article_idx"`);
    this.addSql(`alter table "notification" drop column "article_id", add column "article_slug" varchar(255) null, add column "article_title" text null`);
    this.addSql(`drop index if exists "activity_article_idx"`);
    this.addSql(`alter table "activity" drop column "article_id", add column "article_slug" varchar(255) null, add column "article_title" text null`);
    this.addSql(`drop table if exists "article"`);
  }
}
