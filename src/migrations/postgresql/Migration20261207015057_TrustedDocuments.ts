import { Migration } from '@mikro-orm/migrations';

export class Migration20261207015057_TrustedDocuments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "trusted_documents" ("id" varchar(64) not null, "app_id" varchar(64) not null, "hash" varchar(64) not null, "document" text not null, "operation_name" varchar(255) null, "created_at" timestamptz not null, constraint "trusted_documents_pkey" primary key ("id"));`);
    this.addSql(`alter table "trusted_documents" add constraint "trusted_documents_app_id_hash_unique" unique ("app_id", "hash");`);

    this.addSql(`alter table "apps" add column "trusted_documents_policy" varchar(16) not null default 'OFF';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "trusted_documents" cascade;`);

    this.addSql(`alter table "apps" drop column "trusted_documents_policy";`);
  }

}
