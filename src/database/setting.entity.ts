import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One value of the installation as a whole, by name (the master key's check value, say). */
@Entity({ tableName: 'settings' })
export class Setting {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'text' })
  value!: string;
}
