import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/core';
import type { TokenAlgorithm } from '../sessions/token-algorithm';
import { App } from './app.entity';
import type { TrustedDocumentsPolicy } from '../gateway/trusted-document.entity';

/** What minting a session token, and the gateway, need to know about an app. */
export interface MintSettings {
  id: string;
  defaultTokenLifetime: number;
  maxTokenLifetime: number;
  publishableCanPublish: boolean;
  tokenAlgorithm: TokenAlgorithm;
  maxOperationCost: number;
  trustedDocumentsPolicy: TrustedDocumentsPolicy;
}

const TTL_MS = 5_000;
const MAX_APPS = 10_000;

/**
 * Every sessionAccess needs its app's token settings; asking the database each time was
 * a quarter of a mint's CPU (bench/, figure 2). Settings are kept briefly per process;
 * updateApp and deleteApp drop them at once here and, through the key change bus, in
 * other processes. Deleted apps are never cached.
 */
export class AppSettingsCache {
  private readonly entries = new Map<string, { settings: MintSettings; storedAt: number }>();
  private generation = 0;

  /** `em` may be a function, called only on a miss (a hit needs no EntityManager). */
  async get(em: EntityManager | (() => EntityManager), appId: string): Promise<MintSettings | null> {
    const entry = this.entries.get(appId);
    if (entry && performance.now() - entry.storedAt < TTL_MS) return entry.settings;
    const ticket = this.generation;
    const app = await (typeof em === 'function' ? em() : em).findOne(App, { id: appId, deletedAt: null }, { disableIdentityMap: true });
    if (!app) return null;
    const settings = { id: app.id, defaultTokenLifetime: app.defaultTokenLifetime, maxTokenLifetime: app.maxTokenLifetime, publishableCanPublish: app.publishableCanPublish, tokenAlgorithm: app.tokenAlgorithm, maxOperationCost: app.maxOperationCost, trustedDocumentsPolicy: app.trustedDocumentsPolicy };
    // A change committed while this load ran wins (see KeyCache for the same race).
    if (ticket === this.generation) {
      if (this.entries.size >= MAX_APPS) this.entries.clear();
      this.entries.set(appId, { settings, storedAt: performance.now() });
    }
    return settings;
  }

  /** One app changed (or, with null, possibly any): forget it. */
  invalidate(appId: string | null): void {
    this.generation++;
    if (appId === null) this.entries.clear();
    else this.entries.delete(appId);
  }
}
