import { Migration } from '@mikro-orm/migrations';

export class Migration20261206215010_SystemActor extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "audit_events" drop constraint if exists "audit_events_actor_type_check";`);

    this.addSql(`alter table "audit_events" alter column "actor_type" type varchar(16) using ("actor_type"::varchar(16));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_events" alter column "actor_type" type text using ("actor_type"::text);`);
    this.addSql(`alter table "audit_events" add constraint "audit_events_actor_type_check" check("actor_type" in ('ROOT', 'API_KEY'));`);
  }

}
