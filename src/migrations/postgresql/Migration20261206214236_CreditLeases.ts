import { Migration } from '@mikro-orm/migrations';

export class Migration20261206214236_CreditLeases extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "credit_balances" add column "generation" int not null default 0, add column "low_sent" int not null default 0, add column "leased" int not null default 0;`);
    // Balances already below their line have had their key.credits_low: not again after a returned lease.
    this.addSql(`update "credit_balances" set "low_sent" = 2 where "low_below" is not null and "remaining" < "low_below";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "credit_balances" drop column "generation", drop column "low_sent", drop column "leased";`);
  }

}
