import { Migration } from '@mikro-orm/migrations';

/** Articles with their workflow, slug history, categories, tags, threaded comments and reactions. */
export class Migration20261126000000_articles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "category" (
      "id" serial primary key,
      "slug" varchar(80) not null unique,
      "name" varchar(80) not null unique,
      "description" text not null default '',
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);

    this.addSql(`create table "article" (
      "id" uuid not null primary key,
      "slug" varchar(120) not null unique,
      "title" varchar(255) not null,
      "description" text not null,
      "body" text not null,
      "author_id" uuid not null,
      "category_id" int null references "category" ("id") on delete set null,
      "status" varchar(16) not null check ("status" in ('draft', 'scheduled', 'published', 'archived')),
      "publish_at" timestamptz null,
      "published_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "search" tsvector generated always as (
        setweight(to_tsvector('english', "title"), 'A') ||
        setweight(to_tsvector('english', "description"), 'B') ||
        setweight(to_tsvector('english', "body"), 'C')) stored,
      constraint "article_scheduled_has_time" check ("status" <> 'scheduled' or "publish_at" is not null))`);
    // Listing order (most recent first) for the public list, the author's list, the poller's due list, search.
    this.addSql(`create index "article_listed_idx" on "article" ((coalesce("published_at", "created_at")) desc, "id" desc) where "status" = 'published'`);
    this.addSql(`create index "article_author_idx" on "article" ("author_id", "created_at" desc)`);
    this.addSql(`create index "article_due_idx" on "article" ("publish_at") where "status" = 'scheduled'`);
    this.addSql(`create index "article_category_idx" on "article" ("category_id")`);
    this.addSql(`create index "article_search_idx" on "article" using gin ("search")`);

    // Every slug an article ever had (its current one included): old links keep resolving. A slug is claimed
    // here first (insert … on conflict do nothing), before its article row exists, hence the deferred key.
    this.addSql(`create table "article_slug" (
      "slug" varchar(120) not null primary key,
      "article_id" uuid not null references "article" ("id") on delete cascade deferrable initially deferred)`);
    this.addSql(`create index "article_slug_article_idx" on "article_slug" ("article_id")`);

    this.addSql(`create table "article_tag" (
      "article_id" uuid not null references "article" ("id") on delete cascade,
      "tag_id" int not null references "tag" ("id") on delete cascade,
      primary key ("article_id", "tag_id"))`);
    this.addSql(`create index "article_tag_tag_idx" on "article_tag" ("tag_id")`);

    this.addSql(`create table "comment" (
      "id" serial primary key,
      "article_id" uuid not null references "article" ("id") on delete cascade,
      "author_id" uuid not null,
      "parent_id" int null references "comment" ("id") on delete cascade,
      "body" text not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "comment_article_idx" on "comment" ("article_id", "id")`);

    // Favorites are reactions of kind 'favorite'. One reaction per user, kind and target.
    this.addSql(`create table "reaction" (
      "id" bigserial primary key,
      "user_id" uuid not null,
      "kind" varchar(32) not null,
      "article_id" uuid null references "article" ("id") on delete cascade,
      "comment_id" int null references "comment" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      constraint "reaction_one_target" check (("article_id" is null) <> ("comment_id" is null)))`);
    this.addSql(`create unique index "reaction_article_uq" on "reaction" ("article_id", "kind", "user_id") where "article_id" is not null`);
    this.addSql(`create unique index "reaction_comment_uq" on "reaction" ("comment_id", "kind", "user_id") where "comment_id" is not null`);
    this.addSql(`create index "reaction_user_idx" on "reaction" ("user_id", "kind")`);
  }

  override async down(): Promise<void> {
    for (const table of ['reaction', 'comment', 'article_tag', 'article_slug', 'article', 'category']) {
      this.addSql(`drop table if exists "${table}"`);
    }
  }
}
