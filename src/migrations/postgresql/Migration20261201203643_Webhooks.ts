import { Migration } from '@mikro-orm/migrations';

export class Migration20261201203643_Webhooks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_deliveries" ("id" varchar(64) not null, "event_id" varchar(64) not null, "event_type" varchar(64) not null, "endpoint_id" varchar(64) not null, "status" varchar(16) not null default 'PENDING', "attempts" int not null default 0, "last_attempt_at" timestamptz null, "next_attempt_at" timestamptz null, "response_status" int null, "locked_by" varchar(64) null, "locked_until" timestamptz null, "created_at" timestamptz not null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_id_index" on "webhook_deliveries" ("endpoint_id", "id");`);
    this.addSql(`create index "webhook_deliveries_status_next_attempt_at_index" on "webhook_deliveries" ("status", "next_attempt_at");`);

    this.addSql(`create table "webhook_endpoints" ("id" varchar(64) not null, "app_id" varchar(64) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "url" varchar(2048) not null, "events" jsonb not null, "enabled" boolean not null default true, "secret_sealed" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_app_id_mode_index" on "webhook_endpoints" ("app_id", "mode");`);

    this.addSql(`create table "webhook_events" ("id" varchar(64) not null, "type" varchar(64) not null, "app_id" varchar(64) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "body" text not null, "dedupe_key" varchar(160) null, "created_at" timestamptz not null, constraint "webhook_events_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_events" add constraint "webhook_events_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "webhook_events_app_id_mode_index" on "webhook_events" ("app_id", "mode");`);

    this.addSql(`alter table "apps" add column "leaked_key_policy" varchar(16) not null default 'REVOKE';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);

    this.addSql(`drop table if exists "webhook_events" cascade;`);

    this.addSql(`alter table "apps" drop column "leaked_key_policy";`);
  }

}
