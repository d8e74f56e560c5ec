import { Migration } from '@mikro-orm/migrations';

export class Migration20261207015748_OperationUsage extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "operation_usage" ("key_id" varchar(64) not null, "hour" timestamptz not null, "operation_name" varchar(200) not null, "app_id" varchar(64) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "requests" int not null default 0, "errors" int not null default 0, "cost" bigint not null default 0, constraint "operation_usage_pkey" primary key ("key_id", "hour", "operation_name"));`);
    this.addSql(`create index "operation_usage_app_id_mode_hour_index" on "operation_usage" ("app_id", "mode", "hour");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "operation_usage" cascade;`);
  }

}
