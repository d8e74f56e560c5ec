import { Migration } from '@mikro-orm/migrations';

export class Migration20261201205012_KeyControls extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`credit_balances\` (\`id\` text not null, \`app_id\` text not null, \`remaining\` integer not null, \`refill_interval\` text null, \`refill_amount\` integer null, \`refill_day_of_month\` integer null, \`period_start\` datetime not null, \`last_refill_at\` datetime null, \`granted\` integer not null default 0, primary key (\`id\`));`);

    this.addSql(`alter table \`api_keys\` add column \`owner_id\` text null;`);
    this.addSql(`alter table \`api_keys\` add column \`meta\` json null;`);
    this.addSql(`alter table \`api_keys\` add column \`enabled\` integer not null default true;`);
    this.addSql(`alter table \`api_keys\` add column \`allowed_ips\` json not null default '[]';`);
    this.addSql(`alter table \`api_keys\` add column \`credit_balance_id\` text null;`);
    this.addSql(`create index \`api_keys_app_id_owner_id_index\` on \`api_keys\` (\`app_id\`, \`owner_id\`);`);
  }

}
