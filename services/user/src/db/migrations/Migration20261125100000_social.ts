import { Migration } from '@mikro-orm/migrations';

/** Follows, preferences, notifications and activity. */
export class Migration20261125100000_social extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "follow" ("follower_id" uuid not null, "followee_id" uuid not null,
      "created_at" timestamptz not null default now(), primary key ("follower_id", "followee_id"))`);
    this.addSql(`create index "follow_followee_idx" on "follow" ("followee_id", "created_at")`);
    this.addSql(`create index "follow_follower_created_idx" on "follow" ("follower_id", "created_at")`);
    this.addSql(`create table "preference" ("user_id" uuid not null primary key,
      "notify_new_posts" boolean not null default true, "notify_comments" boolean not null default true,
      "notify_reactions" boolean not null default true, "notify_followers" boolean not null default true,
      "email_digest" boolean not null default false, "language" varchar(16) not null default 'en',
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "notification" ("id" uuid not null primary key, "user_id" uuid not null,
      "kind" varchar(32) not null, "actor_id" uuid null, "article_slug" varchar(255) null, "article_title" text null,
      "comment_id" varchar(64) null, "reaction" varchar(32) null, "event_id" varchar(255) not null,
      "created_at" timestamptz not null default now(), "read_at" timestamptz null,
      constraint "notification_event_user_unique" unique ("event_id", "user_id"))`);
    this.addSql(`create index "notification_user_created_idx" on "notification" ("user_id", "created_at" desc, "id")`);
    this.addSql(`create index "notification_unread_idx" on "notification" ("user_id") where "read_at" is null`);
    this.addSql(`create table "activity" ("id" uuid not null primary key, "user_id" uuid not null, "kind" varchar(32) not null,
      "article_slug" varchar(255) null, "article_title" text null, "comment_id" varchar(64) null,
      "target_type" varchar(16) null, "reaction" varchar(32) null, "event_id" varchar(255) not null unique,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "activity_user_created_idx" on "activity" ("user_id", "created_at" desc, "id")`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "activity"');
    this.addSql('drop table if exists "notification"');
    this.addSql('drop table if exists "preference"');
    this.addSql('drop table if exists "follow"');
  }
}
