import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { Kind, parse } from 'graphql';
import type { Actor, Runtime } from '../../context';
import { BadInputError, NotFoundError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { recordAudit } from '../audit/audit.service';
import { keyTransaction } from '../auth/key-transaction';
import { PrincipalType } from '../auth/principal';
import { assertAppVisible, assertModeAllowed } from '../auth/tenancy';
import { App } from '../apps/app.entity';
import { KeyMode } from '../keys/key-enums';
import { TrustedDocument } from './trusted-document.entity';

/** Bounds that keep one manifest, and one app's registry (held in memory by every process), small. */
export const MAX_DOCUMENTS_PER_CALL = 1000;
export const MAX_DOCUMENTS_PER_APP = 10_000;
export const MAX_DOCUMENT_LENGTH = 64 * 1024;

const HASH = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A manifest checked as a whole: every entry's hash matches its document, or nothing is written. */
function readManifest(documents: unknown): { hash: string; document: string; operationName: string | null }[] {
  if (typeof documents !== 'object' || documents === null || Array.isArray(documents)) {
    throw new BadInputError('documents must be a persisted-documents manifest: an object of {"<sha256 hex>": "<document>"}', 'documents');
  }
  const entries = Object.entries(documents as Record<string, unknown>);
  if (entries.length === 0) throw new BadInputError('The manifest holds no documents', 'documents');
  if (entries.length > MAX_DOCUMENTS_PER_CALL) throw new BadInputError(`At most ${MAX_DOCUMENTS_PER_CALL} documents per call`, 'documents');
  return entries.map(([hash, document], index) => {
    if (!HASH.test(hash)) throw new BadInputError(`"${hash.slice(0, 80)}" is not a SHA-256 hash in lowercase hex`, 'documents');
    // Named by position and a short prefix: error masking redacts a whole hash as it would a secret.
    const entry = `Entry ${index + 1} (${hash.slice(0, 12)}…)`;
    if (typeof document !== 'string' || document.length === 0) throw new BadInputError(`${entry}: its document is not a string`, 'documents');
    if (document.length > MAX_DOCUMENT_LENGTH) throw new BadInputError(`${entry}: its document is longer than ${MAX_DOCUMENT_LENGTH} characters`, 'documents');
    if (sha256Hex(document) !== hash) throw new BadInputError(`${entry}: its hash does not match its document's SHA-256`, 'documents');
    let operations;
    try {
      operations = parse(document, { noLocation: true }).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    } catch {
      throw new BadInputError(`${entry}: its document is not GraphQL`, 'documents');
    }
    if (operations.length === 0) throw new BadInputError(`${entry}: its document holds no operation`, 'documents');
    return { hash, document, operationName: operations[0].name?.value ?? null };
  });
}

/**
 * An app's trusted documents: registered from graphql-codegen's persisted-documents
 * manifest, listed, removed. App-level like its settings (both modes), so a test-mode key
 * may not change them. Every change is announced like an app change, so every process's
 * TrustedDocumentRegistry forgets the app at commit.
 */
export class TrustedDocumentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Pick<Runtime, 'keyChanges' | 'clock'>,
  ) {}

  private async app(em: EntityManager, appId: string, changing: boolean): Promise<App> {
    const p = this.actor.principal;
    assertAppVisible(p, appId);
    if (changing && p.type === PrincipalType.API_KEY) assertModeAllowed(p, KeyMode.LIVE);
    const app = await em.findOne(App, { id: appId, deletedAt: null });
    if (!app) throw new NotFoundError('App');
    return app;
  }

  /** Registers the manifest's documents; answers how many were new (those already registered are kept as they are). */
  async register(appId: string, documents: unknown): Promise<number> {
    const manifest = readManifest(documents);
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      await this.app(tem, appId, true);
      const known = new Set((await tem.find(TrustedDocument, { appId, hash: { $in: manifest.map((d) => d.hash) } }, { fields: ['hash'] })).map((d) => d.hash));
      const fresh = manifest.filter((d) => !known.has(d.hash));
      if (fresh.length === 0) return 0;
      if ((await tem.count(TrustedDocument, { appId })) + fresh.length > MAX_DOCUMENTS_PER_APP) {
        throw new BadInputError(`An app holds at most ${MAX_DOCUMENTS_PER_APP} trusted documents: remove some first`, 'documents');
      }
      const now = this.runtime.clock.now();
      for (const d of fresh) tem.persist(Object.assign(new TrustedDocument(), { appId, ...d, createdAt: now }));
      changed({ appId });
      // Names and counts only: the documents themselves stay out of the audit trail.
      const names = fresh.map((d) => d.operationName).filter((n): n is string => n !== null).slice(0, 50);
      await recordAudit(tem, this.actor, { action: 'trusted_documents.register', appId, mode: null, targetId: appId, details: { added: fresh.length, alreadyRegistered: known.size, operationNames: names } }, now);
      return fresh.length;
    });
  }

  async list(appId: string, page: PageRequest): Promise<Connection<TrustedDocument>> {
    await this.app(this.em, appId, false);
    const where = { appId };
    const [rows, total] = await Promise.all([
      this.em.find(TrustedDocument, page.afterId ? { ...where, id: { $lt: page.afterId } } : where, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
      this.em.count(TrustedDocument, where),
    ]);
    return toConnection(rows, page, total);
  }

  async remove(appId: string, id: string): Promise<boolean> {
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      await this.app(tem, appId, true);
      const document = await tem.findOne(TrustedDocument, { id, appId });
      if (!document) throw new NotFoundError('TrustedDocument');
      tem.remove(document);
      changed({ appId });
      const now = this.runtime.clock.now();
      await recordAudit(tem, this.actor, { action: 'trusted_document.remove', appId, mode: null, targetId: id, details: { operationName: document.operationName } }, now);
      return true;
    });
  }
}
