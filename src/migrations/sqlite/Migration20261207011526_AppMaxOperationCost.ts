import { Migration } from '@mikro-orm/migrations';

export class Migration20261207011526_AppMaxOperationCost extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`apps\` add column \`max_operation_cost\` integer not null default 5000;`);
  }

}
