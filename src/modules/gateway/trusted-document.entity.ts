import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';

/** Which of an app's gateway callers may run only registered documents (DESIGN.md, Gateway). */
export enum TrustedDocumentsPolicy {
  /** Any document runs (the default). */
  OFF = 'OFF',
  /** Publishable keys, and the session tokens they mint, run only registered documents. */
  PUBLISHABLE = 'PUBLISHABLE',
  /** Every credential runs only registered documents. */
  ALL = 'ALL',
}
registerEnumType(TrustedDocumentsPolicy, { name: 'TrustedDocumentsPolicy' });

/**
 * One persisted document of an app, registered from a graphql-codegen manifest. Requests
 * name it by its SHA-256 (`documentId`); the text is what the gateway plans and sends.
 */
@ObjectType({ description: 'A registered (persisted) document the gateway may run for the app.' })
@Entity({ tableName: 'trusted_documents' })
@Unique({ properties: ['appId', 'hash'] })
export class TrustedDocument {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('doc');

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Field(() => String, { description: 'The SHA-256 (hex) of the document: what requests send as "documentId".' })
  @Property({ type: 'string', length: 64 })
  hash!: string;

  @Property({ type: 'text', lazy: true })
  document!: string;

  @Field(() => String, { nullable: true, description: 'The name of its (first) operation, when it has one.' })
  @Property({ type: 'string', length: 255, nullable: true })
  operationName: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
