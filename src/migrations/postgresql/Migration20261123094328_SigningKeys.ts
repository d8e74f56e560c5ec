import { Migration } from '@mikro-orm/migrations';

export class Migration20261123094328_SigningKeys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "signing_keys" ("kid" varchar(64) not null, "algorithm" varchar(16) not null default 'EdDSA', "public_jwk" jsonb not null, "private_key_encrypted" text not null, "created_at" timestamptz not null, "retired_at" timestamptz null, "publish_until" timestamptz null, constraint "signing_keys_pkey" primary key ("kid"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "signing_keys" cascade;`);
  }

}
