import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093219_Initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`api_keys\` (\`id\` text not null, \`app_id\` text not null, \`name\` text not null, \`kind\` text check (\`kind\` in ('PUBLISHABLE', 'SECRET')) not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`role\` text null, \`hash\` text not null, \`start\` text not null, \`publishable_key\` text null, \`allowed_origins\` json not null, \`created_at\` datetime not null, \`expires_at\` datetime null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, \`revoked_reason\` text null, \`created_by\` text null, primary key (\`id\`));`);
    this.addSql(`create unique index \`api_keys_hash_unique\` on \`api_keys\` (\`hash\`);`);
    this.addSql(`create index \`api_keys_app_id_mode_id_index\` on \`api_keys\` (\`app_id\`, \`mode\`, \`id\`);`);

    this.addSql(`create table \`apps\` (\`id\` text not null, \`name\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`deleted_at\` datetime null, \`allowed_origins\` json not null, \`default_token_lifetime\` integer not null default 1800, \`max_token_lifetime\` integer not null default 86400, \`publishable_can_publish\` integer not null default false, primary key (\`id\`));`);
    this.addSql(`create index \`apps_deleted_at_index\` on \`apps\` (\`deleted_at\`);`);

    this.addSql(`create table \`audit_events\` (\`id\` text not null, \`at\` datetime not null, \`app_id\` text null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) null, \`actor_type\` text check (\`actor_type\` in ('ROOT', 'API_KEY')) not null, \`actor_id\` text null, \`action\` text not null, \`target_id\` text null, \`ip\` text null, \`details\` json null, \`request_id\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_events_app_id_id_index\` on \`audit_events\` (\`app_id\`, \`id\`);`);
    this.addSql(`create index \`audit_events_app_id_mode_id_index\` on \`audit_events\` (\`app_id\`, \`mode\`, \`id\`);`);

    this.addSql(`create table \`root_keys\` (\`id\` text not null, \`hash\` text not null, \`start\` text not null, \`name\` text not null default 'root', \`created_at\` datetime not null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`root_keys_hash_unique\` on \`root_keys\` (\`hash\`);`);
  }

}
