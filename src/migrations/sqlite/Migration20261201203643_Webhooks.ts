import { Migration } from '@mikro-orm/migrations';

export class Migration20261201203643_Webhooks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`webhook_deliveries\` (\`id\` text not null, \`event_id\` text not null, \`event_type\` text not null, \`endpoint_id\` text not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_attempt_at\` datetime null, \`next_attempt_at\` datetime null, \`response_status\` integer null, \`locked_by\` text null, \`locked_until\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_deliveries_endpoint_id_id_index\` on \`webhook_deliveries\` (\`endpoint_id\`, \`id\`);`);
    this.addSql(`create index \`webhook_deliveries_status_next_attempt_at_index\` on \`webhook_deliveries\` (\`status\`, \`next_attempt_at\`);`);

    this.addSql(`create table \`webhook_endpoints\` (\`id\` text not null, \`app_id\` text not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`url\` text not null, \`events\` json not null, \`enabled\` integer not null default true, \`secret_sealed\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_endpoints_app_id_mode_index\` on \`webhook_endpoints\` (\`app_id\`, \`mode\`);`);

    this.addSql(`create table \`webhook_events\` (\`id\` text not null, \`type\` text not null, \`app_id\` text not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`body\` text not null, \`dedupe_key\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`webhook_events_dedupe_key_unique\` on \`webhook_events\` (\`dedupe_key\`);`);
    this.addSql(`create index \`webhook_events_app_id_mode_index\` on \`webhook_events\` (\`app_id\`, \`mode\`);`);

    this.addSql(`alter table \`apps\` add column \`leaked_key_policy\` text not null default 'REVOKE';`);
  }

}
