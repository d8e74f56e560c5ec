import { Migration } from '@mikro-orm/migrations';

export class Migration20261123094328_SigningKeys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`signing_keys\` (\`kid\` text not null, \`algorithm\` text not null default 'EdDSA', \`public_jwk\` json not null, \`private_key_encrypted\` text not null, \`created_at\` datetime not null, \`retired_at\` datetime null, \`publish_until\` datetime null, primary key (\`kid\`));`);
  }

}
