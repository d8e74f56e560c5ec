import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093831_Rotations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`rotations\` (\`id\` text not null, \`app_id\` text not null, \`mode\` text check (\`mode\` in ('LIVE', 'TEST')) not null, \`old_key_id\` text not null, \`new_key_id\` text not null, \`started_at\` datetime not null, \`grace_ends_at\` datetime not null, \`completed_at\` datetime null, \`created_by\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`rotations_old_key_id_index\` on \`rotations\` (\`old_key_id\`);`);
    this.addSql(`create index \`rotations_new_key_id_index\` on \`rotations\` (\`new_key_id\`);`);
    this.addSql(`create index \`rotations_app_id_mode_id_index\` on \`rotations\` (\`app_id\`, \`mode\`, \`id\`);`);
  }

}
