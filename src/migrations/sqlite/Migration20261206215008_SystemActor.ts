import { Migration } from '@mikro-orm/migrations';

export class Migration20261206215008_SystemActor extends Migration {

  override async up(): Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`audit_events__temp_alter\` (\`id\` text not null, \`at\` datetime not null, \`app_id\` text null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) null, \`actor_type\` text not null, \`actor_id\` text null, \`action\` text not null, \`target_id\` text null, \`ip\` text null, \`details\` json null, \`request_id\` text null, \`seq\` integer not null default 0, \`prev_hash\` text null, \`hash\` text not null default '', primary key (\`id\`));`);
    this.addSql(`insert into \`audit_events__temp_alter\` select \`id\`, \`at\`, \`app_id\`, \`mode\`, \`actor_type\`, \`actor_id\`, \`action\`, \`target_id\`, \`ip\`, \`details\`, \`request_id\`, \`seq\`, \`prev_hash\`, \`hash\` from \`audit_events\`;`);
    this.addSql(`drop table \`audit_events\`;`);
    this.addSql(`alter table \`audit_events__temp_alter\` rename to \`audit_events\`;`);
    this.addSql(`create index \`audit_events_app_id_mode_seq_index\` on \`audit_events\` (\`app_id\`, \`mode\`, \`seq\`);`);
    this.addSql(`create index \`audit_events_app_id_id_index\` on \`audit_events\` (\`app_id\`, \`id\`);`);
    this.addSql(`create index \`audit_events_app_id_mode_id_index\` on \`audit_events\` (\`app_id\`, \`mode\`, \`id\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
