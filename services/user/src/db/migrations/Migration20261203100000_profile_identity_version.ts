import { Migration } from '@mikro-orm/migrations';

/**
 * The last account identity version (auth's user.registered/user.updated `version`) applied to the profile: a rename
 * is applied only when its version is newer, so two quick renames delivered out of order end with the newer name.
 * 0: none applied yet (a profile created by auth's synchronous call, or before versions existed).
 */
export class Migration20261203100000_profile_identity_version extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "profile" add column "identity_version" integer not null default 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "profile" drop column "identity_version"`);
  }
}
