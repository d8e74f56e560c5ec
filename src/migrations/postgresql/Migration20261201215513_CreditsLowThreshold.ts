import { Migration } from '@mikro-orm/migrations';

export class Migration20261201215513_CreditsLowThreshold extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "credit_balances" add column "low_below" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "credit_balances" drop column "low_below";`);
  }

}
