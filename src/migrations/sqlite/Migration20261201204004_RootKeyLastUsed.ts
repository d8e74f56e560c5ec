import { Migration } from '@mikro-orm/migrations';

export class Migration20261201204004_RootKeyLastUsed extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`root_keys\` add column \`last_used_at\` datetime null;`);
  }

}
