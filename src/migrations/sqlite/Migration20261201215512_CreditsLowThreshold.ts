import { Migration } from '@mikro-orm/migrations';

export class Migration20261201215512_CreditsLowThreshold extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`credit_balances\` add column \`low_below\` integer null;`);
  }

}
