import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum GatewaySchemaSource {
  /** KEYGATE_GATEWAY_SCHEMA: the upstream's SDL with its directives. */
  SDL_FILE = 'SDL_FILE',
  /** Introspection of the upstream: no directives, so only the root fields' defaults apply. */
  INTROSPECTION = 'INTROSPECTION',
}
registerEnumType(GatewaySchemaSource, {
  name: 'GatewaySchemaSource',
  valuesConfig: { SDL_FILE: { description: 'The SDL file of KEYGATE_GATEWAY_SCHEMA, with its directives.' }, INTROSPECTION: { description: 'Introspection of the upstream: without directives, so only the root fields’ defaults apply.' } },
});

export enum GatewayRequirement {
  /** `@authenticated` only: any credential. */
  AUTHENTICATED = 'AUTHENTICATED',
  /** `@requiresScopes` on the field or on the type it returns. */
  REQUIRES_SCOPES = 'REQUIRES_SCOPES',
  /** A root field without its own annotation: the built-in `read` (Query) or `write` (Mutation), plus its type's. */
  ROOT_DEFAULT = 'ROOT_DEFAULT',
}
registerEnumType(GatewayRequirement, {
  name: 'GatewayRequirement',
  valuesConfig: {
    AUTHENTICATED: { description: '@authenticated only: any credential.' },
    REQUIRES_SCOPES: { description: '@requiresScopes on the field or on the type it returns.' },
    ROOT_DEFAULT: { description: 'A root field without its own annotation: the built-in read (Query) or write (Mutation), plus its type’s rules.' },
  },
});

@ObjectType({ description: 'What one field of the upstream schema needs through the gateway.' })
export class GatewayFieldRule {
  @Field(() => String)
  typeName!: string;

  @Field(() => String)
  fieldName!: string;

  @Field(() => GatewayRequirement)
  requirement!: GatewayRequirement;

  @Field(() => [[String]], { description: 'Alternatives: any one inner list, all of its scopes (the field’s and its type’s rules multiplied out). Empty: any credential.' })
  requiresScopes!: string[][];

  @Field(() => Int, { description: 'What one use of the field weighs in the operation cost (@cost, else 1 for an object and 0 for a leaf), before list sizes.' })
  costWeight!: number;
}

@ObjectType({ description: 'The gateway at /gateway/graphql as this server runs it (one per deployment, the same for every app).' })
export class GatewayStatus {
  @Field(() => Boolean, { description: 'False without KEYGATE_GATEWAY_UPSTREAM: every other field is then null or empty.' })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Where live-mode operations go: origin and path only (never credentials or a query string).' })
  upstream!: string | null;

  @Field(() => String, { nullable: true, description: 'Where test-mode operations go, shown like upstream; the same as upstream unless KEYGATE_GATEWAY_UPSTREAM_TEST is set.' })
  testUpstream!: string | null;

  @Field(() => GatewaySchemaSource, { nullable: true })
  schemaSource!: GatewaySchemaSource | null;

  @Field(() => Date, { nullable: true, description: 'When the upstream schema was loaded; null until it is (introspection is retried until the upstream answers).' })
  schemaLoadedAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether the gateway has a schema and answers (/readyz is 503 until then).' })
  ready!: boolean;

  @Field(() => [GatewayFieldRule], { description: 'Every root field, and every other field that carries a rule, in schema order; empty until the schema is loaded.' })
  fieldRules!: GatewayFieldRule[];
}
