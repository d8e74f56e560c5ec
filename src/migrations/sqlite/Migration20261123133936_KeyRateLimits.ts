import { Migration } from '@mikro-orm/migrations';

export class Migration20261123133936_KeyRateLimits extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`api_keys\` add column \`rate_limit\` integer null;`);
    this.addSql(`alter table \`api_keys\` add column \`rate_limit_window_seconds\` integer null;`);
  }

}
