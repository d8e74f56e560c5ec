import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093219_Initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_keys" ("id" varchar(64) not null, "app_id" varchar(64) not null, "name" varchar(200) not null, "kind" text check ("kind" in ('PUBLISHABLE', 'SECRET')) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "role" varchar(16) null, "hash" varchar(64) not null, "start" varchar(64) not null, "publishable_key" varchar(160) null, "allowed_origins" jsonb not null, "created_at" timestamptz not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "revoked_reason" varchar(500) null, "created_by" varchar(64) null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_hash_unique" unique ("hash");`);
    this.addSql(`create index "api_keys_app_id_mode_id_index" on "api_keys" ("app_id", "mode", "id");`);

    this.addSql(`create table "apps" ("id" varchar(64) not null, "name" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, "allowed_origins" jsonb not null, "default_token_lifetime" int not null default 1800, "max_token_lifetime" int not null default 86400, "publishable_can_publish" boolean not null default false, constraint "apps_pkey" primary key ("id"));`);
    this.addSql(`create index "apps_deleted_at_index" on "apps" ("deleted_at");`);

    this.addSql(`create table "audit_events" ("id" varchar(64) not null, "at" timestamptz not null, "app_id" varchar(64) null, "mode" text check ("mode" in ('LIVE', 'TEST')) null, "actor_type" text check ("actor_type" in ('ROOT', 'API_KEY')) not null, "actor_id" varchar(64) null, "action" varchar(64) not null, "target_id" varchar(64) null, "ip" varchar(64) null, "details" jsonb null, "request_id" varchar(64) null, constraint "audit_events_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_events_app_id_id_index" on "audit_events" ("app_id", "id");`);
    this.addSql(`create index "audit_events_app_id_mode_id_index" on "audit_events" ("app_id", "mode", "id");`);

    this.addSql(`create table "root_keys" ("id" varchar(64) not null, "hash" varchar(64) not null, "start" varchar(64) not null, "name" varchar(200) not null default 'root', "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "root_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "root_keys" add constraint "root_keys_hash_unique" unique ("hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "apps" cascade;`);

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "root_keys" cascade;`);
  }

}
