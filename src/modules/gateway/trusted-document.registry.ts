import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/core';
import { TrustedDocument } from './trusted-document.entity';

/** A safety net only: every change is announced (key change bus), so entries are dropped at commit. */
const TTL_MS = 60_000;
const MAX_APPS = 1_000;

/**
 * Each app's trusted documents (hash → text), kept per process so a request by
 * `documentId` costs no query. Loaded whole on an app's first request (at most
 * MAX_DOCUMENTS_PER_APP); registerTrustedDocuments and removeTrustedDocument announce an
 * app change, and onAppChanged forgets the app here and in every other process.
 */
export class TrustedDocumentRegistry {
  private readonly entries = new Map<string, { documents: ReadonlyMap<string, string>; storedAt: number }>();
  private readonly loading = new Map<string, Promise<ReadonlyMap<string, string>>>();
  private generation = 0;

  /** The registered document with this SHA-256 (hex), or null. */
  async find(em: () => EntityManager, appId: string, hash: string): Promise<string | null> {
    return (await this.documents(em, appId)).get(hash) ?? null;
  }

  private async documents(em: () => EntityManager, appId: string): Promise<ReadonlyMap<string, string>> {
    const entry = this.entries.get(appId);
    if (entry && performance.now() - entry.storedAt < TTL_MS) return entry.documents;
    // One load per app at a time: a burst of first requests shares it.
    let pending = this.loading.get(appId);
    if (!pending) {
      pending = this.load(em(), appId).finally(() => this.loading.delete(appId));
      this.loading.set(appId, pending);
    }
    return pending;
  }

  private async load(em: EntityManager, appId: string): Promise<ReadonlyMap<string, string>> {
    const ticket = this.generation;
    const rows = await em.find(TrustedDocument, { appId }, { fields: ['hash', 'document'], disableIdentityMap: true });
    const documents = new Map(rows.map((row) => [row.hash, row.document]));
    // A change committed while this load ran wins: the next request loads again.
    if (ticket === this.generation) {
      if (this.entries.size >= MAX_APPS) this.entries.clear();
      this.entries.set(appId, { documents, storedAt: performance.now() });
    }
    return documents;
  }

  /** One app changed (or, with null, possibly any): forget it. */
  invalidate(appId: string | null): void {
    this.generation++;
    if (appId === null) {
      this.entries.clear();
      this.loading.clear();
    } else {
      this.entries.delete(appId);
      this.loading.delete(appId);
    }
  }
}
