import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093831_Rotations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "rotations" ("id" varchar(64) not null, "app_id" varchar(64) not null, "mode" text check ("mode" in ('LIVE', 'TEST')) not null, "old_key_id" varchar(64) not null, "new_key_id" varchar(64) not null, "started_at" timestamptz not null, "grace_ends_at" timestamptz not null, "completed_at" timestamptz null, "created_by" varchar(64) not null, constraint "rotations_pkey" primary key ("id"));`);
    this.addSql(`create index "rotations_old_key_id_index" on "rotations" ("old_key_id");`);
    this.addSql(`create index "rotations_new_key_id_index" on "rotations" ("new_key_id");`);
    this.addSql(`create index "rotations_app_id_mode_id_index" on "rotations" ("app_id", "mode", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rotations" cascade;`);
  }

}
