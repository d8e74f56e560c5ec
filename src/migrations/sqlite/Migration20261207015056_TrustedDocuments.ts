import { Migration } from '@mikro-orm/migrations';

export class Migration20261207015056_TrustedDocuments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`trusted_documents\` (\`id\` text not null, \`app_id\` text not null, \`hash\` text not null, \`document\` text not null, \`operation_name\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`trusted_documents_app_id_hash_unique\` on \`trusted_documents\` (\`app_id\`, \`hash\`);`);

    this.addSql(`alter table \`apps\` add column \`trusted_documents_policy\` text not null default 'OFF';`);
  }

}
