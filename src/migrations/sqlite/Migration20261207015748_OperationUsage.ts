import { Migration } from '@mikro-orm/migrations';

export class Migration20261207015748_OperationUsage extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`operation_usage\` (\`key_id\` text not null, \`hour\` datetime not null, \`operation_name\` text not null, \`app_id\` text not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`requests\` integer not null default 0, \`errors\` integer not null default 0, \`cost\` bigint not null default 0, primary key (\`key_id\`, \`hour\`, \`operation_name\`));`);
    this.addSql(`create index \`operation_usage_app_id_mode_hour_index\` on \`operation_usage\` (\`app_id\`, \`mode\`, \`hour\`);`);
  }

}
