import { Migration } from '@mikro-orm/migrations';

export class Migration20261201203227_ConsoleSessions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "console_sessions" ("id" varchar(64) not null, "key_hash" varchar(64) not null, "key_type" varchar(8) not null, "key_id" varchar(64) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, constraint "console_sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "console_sessions_key_id_index" on "console_sessions" ("key_id");`);
    this.addSql(`create index "console_sessions_expires_at_index" on "console_sessions" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "console_sessions" cascade;`);
  }

}
