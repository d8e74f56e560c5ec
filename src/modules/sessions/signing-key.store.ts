import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Orm } from '../../database/orm';
import type { Clock } from '../../shared/clock';
import { newId } from '../../shared/ids';
import { App } from '../apps/app.entity';
import { MAX_TOKEN_LIFETIME } from '../apps/app.service';
import { open, seal } from './key-encryption';
import { SigningKey } from './signing-key.entity';
import { JWS_ALGORITHM, type JwsAlgorithm, TokenAlgorithm, generateSigningPair, tokenAlgorithmOf } from './token-algorithm';

/** How long a process signs with its cached current key before looking for a newer one. */
const CURRENT_KEY_TTL_MS = 60_000;
/** How long the JWKS document is cached in process (and by clients, via Cache-Control). */
export const JWKS_TTL_SECONDS = 300;
const JWKS_CACHE_MS = 30_000;
/**
 * Kids looked up and not found: JWT-shaped garbage with random kids must not cost a
 * query each. Short, because only kids that never existed land here (a new key's kid
 * appears in no token before its row commits).
 */
const UNKNOWN_KID_TTL_MS = 10_000;
const UNKNOWN_KID_MAX = 10_000;

interface CurrentKey {
  kid: string;
  algorithm: JwsAlgorithm;
  privateKey: KeyObject;
  loadedAt: number;
}

export interface Jwks {
  keys: (JsonWebKey & { kid: string; alg: string; use: string })[];
}

/**
 * Signing keys, cached in memory: the current private key of each algorithm (re-read
 * after a TTL so a rotation made by another process is picked up), public keys by kid
 * (for verifying), and the JWKS document. Private halves are decrypted only here.
 */
export class SigningKeyStore {
  private readonly current = new Map<TokenAlgorithm, CurrentKey>();
  private readonly publicKeys = new Map<string, KeyObject>();
  /** kid → when it was found missing (insertion order = age, for eviction). */
  private readonly unknownKids = new Map<string, number>();
  private jwksCache: { value: Jwks; until: number } | null = null;
  private readonly generating = new Map<TokenAlgorithm, Promise<CurrentKey>>();

  constructor(
    private readonly orm: Orm,
    private readonly encryptionKey: Buffer,
    private readonly clock: Clock,
  ) {}

  /** The key to sign with now in `algorithm`; generated on first use. */
  async signingKey(algorithm: TokenAlgorithm): Promise<{ kid: string; algorithm: JwsAlgorithm; privateKey: KeyObject }> {
    const now = Date.now();
    const cached = this.current.get(algorithm);
    if (cached && now - cached.loadedAt < CURRENT_KEY_TTL_MS) return cached;
    const em = this.orm.em.fork();
    const latest = await em.findOne(
      SigningKey,
      { retiredAt: null, algorithm: JWS_ALGORITHM[algorithm] },
      { orderBy: { createdAt: 'desc' }, populate: ['privateKeyEncrypted'] },
    );
    if (latest) return this.remember(cached?.kid === latest.kid ? { ...cached, loadedAt: now } : this.decrypt(latest));
    // Concurrent first requests in one process share one generation.
    let generating = this.generating.get(algorithm);
    if (!generating) {
      generating = (async () => {
        const created = this.create(algorithm);
        await em.persistAndFlush(created.entity);
        return created.current;
      })().finally(() => this.generating.delete(algorithm));
      this.generating.set(algorithm, generating);
    }
    return this.remember(await generating);
  }

  /** Whether this kid's public key is in memory: verifying with it needs no database. */
  knows(kid: string): boolean {
    return this.publicKeys.has(kid);
  }

  /** Public key for a kid that is still published, or null. */
  async publicKey(kid: string): Promise<KeyObject | null> {
    const cached = this.publicKeys.get(kid);
    if (cached) return cached;
    if (!/^sig_[0-9A-Za-z]{1,60}$/.test(kid)) return null;
    const missingAt = this.unknownKids.get(kid);
    if (missingAt !== undefined) {
      if (Date.now() - missingAt < UNKNOWN_KID_TTL_MS) return null;
      this.unknownKids.delete(kid);
    }
    const key = await this.orm.em.fork().findOne(SigningKey, { kid });
    if (!key) {
      this.unknownKids.set(kid, Date.now());
      if (this.unknownKids.size > UNKNOWN_KID_MAX) this.unknownKids.delete(this.unknownKids.keys().next().value as string);
      return null;
    }
    if (!this.isPublished(key)) return null;
    const publicKey = createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' });
    this.publicKeys.set(kid, publicKey);
    return publicKey;
  }

  async jwks(): Promise<Jwks> {
    const now = Date.now();
    if (this.jwksCache && now < this.jwksCache.until) return this.jwksCache.value;
    const rows = await this.orm.em.fork().find(SigningKey, { $or: [{ retiredAt: null }, { publishUntil: { $gt: this.clock.now() } }] }, { orderBy: { createdAt: 'desc' } });
    const value = { keys: rows.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.algorithm, use: 'sig' })) };
    this.jwksCache = { value, until: now + JWKS_CACHE_MS };
    return value;
  }

  /**
   * Retires the current key of `algorithm` and makes a new one, inside the caller's
   * transaction. Retired keys stay published for the longest token lifetime any app
   * allows now.
   */
  async rotate(em: EntityManager, algorithm: TokenAlgorithm): Promise<SigningKey> {
    const now = this.clock.now();
    const [longest] = await em.find(App, {}, { fields: ['maxTokenLifetime'], orderBy: { maxTokenLifetime: 'desc' }, limit: 1 });
    const publishUntil = new Date(now.getTime() + (longest?.maxTokenLifetime ?? MAX_TOKEN_LIFETIME) * 1000);
    await em.nativeUpdate(SigningKey, { retiredAt: null, algorithm: JWS_ALGORITHM[algorithm] }, { retiredAt: now, publishUntil });
    const created = this.create(algorithm);
    em.persist(created.entity);
    return created.entity;
  }

  /** The algorithms with a current key (to rotate them all at once). */
  async algorithmsInUse(em: EntityManager): Promise<TokenAlgorithm[]> {
    const rows = await em.find(SigningKey, { retiredAt: null }, { fields: ['algorithm'] });
    return Object.values(TokenAlgorithm).filter((a) => rows.some((r) => r.algorithm === JWS_ALGORITHM[a]));
  }

  /** Forget the cached current keys and JWKS (after a rotation commits). */
  invalidate(): void {
    this.current.clear();
    this.jwksCache = null;
    this.unknownKids.clear();
  }

  private isPublished(key: SigningKey): boolean {
    return key.retiredAt === null || (key.publishUntil !== null && key.publishUntil > this.clock.now());
  }

  private create(tokenAlgorithm: TokenAlgorithm): { entity: SigningKey; current: CurrentKey } {
    const { publicKey, privateKey, publicJwk } = generateSigningPair(tokenAlgorithm);
    const kid = newId('sig');
    const algorithm = JWS_ALGORITHM[tokenAlgorithm];
    const entity = Object.assign(new SigningKey(), {
      kid,
      algorithm,
      publicJwk,
      privateKeyEncrypted: seal(privateKey.export({ format: 'der', type: 'pkcs8' }), this.encryptionKey, kid),
      createdAt: this.clock.now(),
    });
    this.publicKeys.set(kid, publicKey);
    this.jwksCache = null;
    return { entity, current: { kid, algorithm, privateKey, loadedAt: Date.now() } };
  }

  private remember(key: CurrentKey): CurrentKey {
    this.current.set(tokenAlgorithmOf(key.algorithm) as TokenAlgorithm, key);
    return key;
  }

  private decrypt(key: SigningKey): CurrentKey {
    const der = open(key.privateKeyEncrypted, this.encryptionKey, key.kid);
    return { kid: key.kid, algorithm: key.algorithm as JwsAlgorithm, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), loadedAt: Date.now() };
  }
}
