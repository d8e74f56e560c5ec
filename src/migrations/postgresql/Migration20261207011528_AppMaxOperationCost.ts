import { Migration } from '@mikro-orm/migrations';

export class Migration20261207011528_AppMaxOperationCost extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "apps" add column "max_operation_cost" int not null default 5000;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "apps" drop column "max_operation_cost";`);
  }

}
