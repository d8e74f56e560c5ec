import { Migration } from '@mikro-orm/migrations';

export class Migration20261207005050_Scopes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "api_keys" add column "scopes" jsonb not null default '[]';`);

    this.addSql(`alter table "apps" add column "scopes" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop column "scopes";`);

    this.addSql(`alter table "apps" drop column "scopes";`);
  }

}
