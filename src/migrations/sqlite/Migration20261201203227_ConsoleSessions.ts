import { Migration } from '@mikro-orm/migrations';

export class Migration20261201203227_ConsoleSessions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`console_sessions\` (\`id\` text not null, \`key_hash\` text not null, \`key_type\` text not null, \`key_id\` text not null, \`created_at\` datetime not null, \`last_seen_at\` datetime not null, \`expires_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`console_sessions_key_id_index\` on \`console_sessions\` (\`key_id\`);`);
    this.addSql(`create index \`console_sessions_expires_at_index\` on \`console_sessions\` (\`expires_at\`);`);
  }

}
