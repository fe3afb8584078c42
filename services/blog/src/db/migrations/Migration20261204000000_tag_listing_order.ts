import { Migration } from '@mikro-orm/migrations';

/**
 * A tag's list in listing order straight from an index: each link of a published article carries the article's
 * listing time (`coalesce(published_at, created_at)`, as article_listed_idx orders), null otherwise. Before, a list
 * by tag read every link of the tag and sorted them, so its cost grew with the tag's size (ADR 26).
 *
 * Triggers keep the copy true whatever writes: a link made without the time takes it from its article (the create
 * statement gives it, its article row not being visible to the trigger yet), and a change of an article's status or
 * times rewrites its links'.
 */
export class Migration20261204000000_tag_listing_order extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "article_tag" add column "listed_at" timestamptz null`);
    this.addSql(
      `update "article_tag" at set "listed_at" = coalesce(a."published_at", a."created_at")
         from "article" a where a."id" = at."article_id" and a."status" = 'published'`,
    );
    this.addSql(
      `create index "article_tag_listed_idx" on "article_tag" ("tag_id", "listed_at" desc, "article_id" desc) where "listed_at" is not null`,
    );
    this.addSql(`create function article_tag_take_listed_at() returns trigger language plpgsql as $$
      begin
        if new.listed_at is null then
          select case when a.status = 'published' then coalesce(a.published_at, a.created_at) end into new.listed_at
            from article a where a.id = new.article_id;
        end if;
        return new;
      end $$`);
    this.addSql(
      `create trigger article_tag_take_listed_at before insert on "article_tag" for each row execute function article_tag_take_listed_at()`,
    );
    this.addSql(`create function article_give_listed_at() returns trigger language plpgsql as $$
      begin
        update article_tag set listed_at = case when new.status = 'published' then coalesce(new.published_at, new.created_at) end
         where article_id = new.id;
        return null;
      end $$`);
    this.addSql(`create trigger article_give_listed_at after update of "status", "published_at", "created_at" on "article" for each row
      when (old.status is distinct from new.status or old.published_at is distinct from new.published_at or old.created_at is distinct from new.created_at)
      execute function article_give_listed_at()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger article_give_listed_at on "article"`);
    this.addSql(`drop function article_give_listed_at()`);
    this.addSql(`drop trigger article_tag_take_listed_at on "article_tag"`);
    this.addSql(`drop function article_tag_take_listed_at()`);
    this.addSql(`drop index "article_tag_listed_idx"`);
    this.addSql(`alter table "article_tag" drop column "listed_at"`);
  }
}
