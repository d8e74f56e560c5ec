import type { EntityManager } from '@mikro-orm/core';
import { KeyKind } from '../keys/key-enums';
import type { GatewayCredential } from './gateway-scopes';
import { TrustedDocumentsPolicy } from './trusted-document.entity';
import { sha256Hex } from './trusted-documents.service';

/** A request's operation, once its document is known: the text to plan, or why it is not run. */
export type ResolvedDocument =
  | { ok: true; params: Record<string, unknown>; operationName: string | undefined }
  | { ok: false; status: 400; message: string }
  | { ok: false; status: 403 };

const ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The document a request names: `documentId` (GraphQL over HTTP's, sha256:<hex> or <hex>) or Apollo's persistedQuery extension. */
function namedDocument(params: Record<string, unknown>): string | undefined | null {
  const extensions = params.extensions;
  const persisted = typeof extensions === 'object' && extensions !== null ? (extensions as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery : undefined;
  const named = params.documentId ?? persisted?.sha256Hash;
  if (named === undefined) return undefined;
  return typeof named === 'string' ? (ID.exec(named.toLowerCase())?.[1] ?? null) : null;
}

/** Whether the app's policy holds this credential to registered documents. */
export function policyApplies(policy: TrustedDocumentsPolicy, credential: GatewayCredential): boolean {
  switch (policy) {
    case TrustedDocumentsPolicy.OFF:
      return false;
    case TrustedDocumentsPolicy.ALL:
      return true;
    case TrustedDocumentsPolicy.PUBLISHABLE:
      // A token minted by a publishable key is the browser's credential as much as the key is.
      return (credential.type === 'key' ? credential.principal.kind : credential.minterKind) === KeyKind.PUBLISHABLE;
  }
}

/**
 * The request's document: a named one comes from the app's registry (any policy), an
 * inline one runs only where the policy does not apply. A named document the registry
 * does not hold is refused as untrusted; sending both a name and a text that differ is
 * a bad request, never a way to run the text under the name.
 */
export async function resolveDocument(
  params: Record<string, unknown>,
  enforced: boolean,
  find: (hash: string, em: () => EntityManager) => Promise<string | null>,
  em: () => EntityManager,
): Promise<ResolvedDocument> {
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  const hash = namedDocument(params);
  if (hash === undefined) return enforced ? { ok: false, status: 403 } : { ok: true, params, operationName };
  if (hash === null) return { ok: false, status: 400, message: '"documentId" must be a SHA-256 in hex (optionally prefixed "sha256:")' };
  const document = await find(hash, em);
  if (document === null) return { ok: false, status: 403 };
  if (typeof params.query === 'string' && params.query !== '' && sha256Hex(params.query) !== hash) {
    return { ok: false, status: 400, message: 'The "query" sent is not the document "documentId" names: send one or the other' };
  }
  return { ok: true, params: { ...params, query: document }, operationName };
}
