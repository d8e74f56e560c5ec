import { Migration } from '@mikro-orm/migrations';

export class Migration20261206215250_MasterKeyCheck extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "settings" ("name" varchar(64) not null, "value" text not null, constraint "settings_pkey" primary key ("name"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "settings" cascade;`);
  }

}
