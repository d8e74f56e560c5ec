import { Migration } from '@mikro-orm/migrations';

export class Migration20261123095905_UsageAndAuditChain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_chain_heads" ("chain_key" varchar(100) not null, "last_seq" int not null default 0, "last_hash" varchar(64) null, constraint "audit_chain_heads_pkey" primary key ("chain_key"));`);

    this.addSql(`create table "key_usage" ("key_id" varchar(64) not null, "hour" timestamptz not null, "app_id" varchar(64) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "verifications" int not null default 0, "failures" int not null default 0, "tokens_issued" int not null default 0, constraint "key_usage_pkey" primary key ("key_id", "hour"));`);
    this.addSql(`create index "key_usage_app_id_mode_hour_index" on "key_usage" ("app_id", "mode", "hour");`);

    this.addSql(`alter table "audit_events" add column "seq" int not null default 0, add column "prev_hash" varchar(64) null, add column "hash" varchar(64) not null default '';`);
    this.addSql(`create index "audit_events_app_id_mode_seq_index" on "audit_events" ("app_id", "mode", "seq");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_chain_heads" cascade;`);

    this.addSql(`drop table if exists "key_usage" cascade;`);

    this.addSql(`drop index "audit_events_app_id_mode_seq_index";`);
    this.addSql(`alter table "audit_events" drop column "seq", drop column "prev_hash", drop column "hash";`);
  }

}
