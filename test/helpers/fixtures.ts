import { CreateApiKeyDocument, type CreateApiKeyInput, CreateAppDocument, type KeyKind, type KeyMode, type KeyRole } from '../generated/graphql';
import type { GraphQLClient } from './graphql-client';

export async function createApp(client: GraphQLClient, name = 'Test app', extra: Record<string, unknown> = {}) {
  const data = await client.ok(CreateAppDocument, { input: { name, ...extra } });
  return data.createApp;
}

export interface KeySpec {
  appId: string;
  kind?: KeyKind;
  mode?: KeyMode;
  role?: KeyRole | null;
  name?: string;
  expiresAt?: string;
  allowedOrigins?: string[];
  /** Key controls and other optional input (ownerId, meta, allowedIps, credits, rateLimit). */
  extra?: Partial<CreateApiKeyInput>;
}

/** Creates a key (secret READ_ONLY in test mode unless told otherwise) and returns it with its value. */
export async function createKey(client: GraphQLClient, spec: KeySpec) {
  const kind = spec.kind ?? 'SECRET';
  const data = await client.ok(CreateApiKeyDocument, {
    input: {
      appId: spec.appId,
      name: spec.name ?? `${kind.toLowerCase()} key`,
      kind,
      mode: spec.mode ?? 'TEST',
      role: kind === 'SECRET' ? (spec.role === undefined ? 'READ_ONLY' : spec.role) : (spec.role ?? null),
      expiresAt: spec.expiresAt,
      allowedOrigins: spec.allowedOrigins,
      ...spec.extra,
    },
  });
  return { ...data.createApiKey.apiKey, secret: data.createApiKey.secret };
}
