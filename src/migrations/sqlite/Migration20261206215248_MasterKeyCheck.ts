import { Migration } from '@mikro-orm/migrations';

export class Migration20261206215248_MasterKeyCheck extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`settings\` (\`name\` text not null, \`value\` text not null, primary key (\`name\`));`);
  }

}
