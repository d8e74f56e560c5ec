import { Migration } from '@mikro-orm/migrations';

export class Migration20261123133936_KeyRateLimits extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "api_keys" add column "rate_limit" int null, add column "rate_limit_window_seconds" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop column "rate_limit", drop column "rate_limit_window_seconds";`);
  }

}
