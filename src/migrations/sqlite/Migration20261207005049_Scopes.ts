import { Migration } from '@mikro-orm/migrations';

export class Migration20261207005049_Scopes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`api_keys\` add column \`scopes\` json not null default '[]';`);

    this.addSql(`alter table \`apps\` add column \`scopes\` json not null default '[]';`);
  }

}
