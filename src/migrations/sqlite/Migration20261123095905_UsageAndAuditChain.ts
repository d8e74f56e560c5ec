import { Migration } from '@mikro-orm/migrations';

export class Migration20261123095905_UsageAndAuditChain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_chain_heads\` (\`chain_key\` text not null, \`last_seq\` integer not null default 0, \`last_hash\` text null, primary key (\`chain_key\`));`);

    this.addSql(`create table \`key_usage\` (\`key_id\` text not null, \`hour\` datetime not null, \`app_id\` text not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`verifications\` integer not null default 0, \`failures\` integer not null default 0, \`tokens_issued\` integer not null default 0, primary key (\`key_id\`, \`hour\`));`);
    this.addSql(`create index \`key_usage_app_id_mode_hour_index\` on \`key_usage\` (\`app_id\`, \`mode\`, \`hour\`);`);

    this.addSql(`alter table \`audit_events\` add column \`seq\` integer not null default 0;`);
    this.addSql(`alter table \`audit_events\` add column \`prev_hash\` text null;`);
    this.addSql(`alter table \`audit_events\` add column \`hash\` text not null default '';`);
    this.addSql(`create index \`audit_events_app_id_mode_seq_index\` on \`audit_events\` (\`app_id\`, \`mode\`, \`seq\`);`);
  }

}
