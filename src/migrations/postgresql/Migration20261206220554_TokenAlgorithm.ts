import { Migration } from '@mikro-orm/migrations';

export class Migration20261206220554_TokenAlgorithm extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "apps" add column "token_algorithm" varchar(16) not null default 'EDDSA';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "apps" drop column "token_algorithm";`);
  }

}
