import { Migration } from '@mikro-orm/migrations';

export class Migration20261201205013_KeyControls extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "credit_balances" ("id" varchar(64) not null, "app_id" varchar(64) not null, "remaining" int not null, "refill_interval" varchar(16) null, "refill_amount" int null, "refill_day_of_month" int null, "period_start" timestamptz not null, "last_refill_at" timestamptz null, "granted" int not null default 0, constraint "credit_balances_pkey" primary key ("id"));`);

    this.addSql(`alter table "api_keys" add column "owner_id" varchar(255) null, add column "meta" jsonb null, add column "enabled" boolean not null default true, add column "allowed_ips" jsonb not null default '[]', add column "credit_balance_id" varchar(64) null;`);
    this.addSql(`create index "api_keys_app_id_owner_id_index" on "api_keys" ("app_id", "owner_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "credit_balances" cascade;`);

    this.addSql(`drop index "api_keys_app_id_owner_id_index";`);
    this.addSql(`alter table "api_keys" drop column "owner_id", drop column "meta", drop column "enabled", drop column "allowed_ips", drop column "credit_balance_id";`);
  }

}
