import { Migration } from '@mikro-orm/migrations';

export class Migration20261206220552_TokenAlgorithm extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`apps\` add column \`token_algorithm\` text not null default 'EDDSA';`);
  }

}
