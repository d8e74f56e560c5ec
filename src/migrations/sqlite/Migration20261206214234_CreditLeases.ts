import { Migration } from '@mikro-orm/migrations';

export class Migration20261206214234_CreditLeases extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`credit_balances\` add column \`generation\` integer not null default 0;`);
    this.addSql(`alter table \`credit_balances\` add column \`low_sent\` integer not null default 0;`);
    this.addSql(`alter table \`credit_balances\` add column \`leased\` integer not null default 0;`);
    // Balances already below their line have had their key.credits_low: not again after a returned lease.
    this.addSql(`update \`credit_balances\` set \`low_sent\` = 2 where \`low_below\` is not null and \`remaining\` < \`low_below\`;`);
  }

}
