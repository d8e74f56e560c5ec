import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import type { Runtime } from './context';
import { migrate, openOrm, openQueryOrm, type Orm } from './database/orm';
import { createLogger, type Logger } from './logger';
import { Authenticator } from './modules/auth/authenticator';
import { KeyCache } from './modules/auth/key-cache';
import { KeyChangeBus } from './modules/auth/key-change-bus';
import { KeyHasher } from './modules/auth/key-hash';
import { AppSettingsCache } from './modules/apps/app-settings.cache';
import { RateLimits } from './modules/rate-limits/rate-limits';
import { consoleOrigins } from './modules/auth/origin-policy';
import { createRootKey, hasRootKey } from './modules/auth/root-key.service';
import { createManagementApollo } from './modules/management/management-apollo';
import { AuthFailureAuditor } from './modules/audit/auth-failure-auditor';
import { Metrics } from './shared/metrics';
import { UsageRecorder } from './modules/usage/usage.recorder';
import { createHttpServer, type KeygateHttpServer } from './modules/http/server';
import { proxyTrust } from './modules/http/request';
import { SigningKeyStore } from './modules/sessions/signing-key.store';
import { buildKeygateSchema } from './modules/management/schema';
import { type Clock, systemClock } from './shared/clock';
import { CreditLedger } from './modules/credits/credit-ledger';
import { deriveKey, resolveMasterKey } from './shared/master-key';
import { verifyMasterKey } from './shared/master-key-check';
import type { HostResolver } from './modules/webhooks/address-policy';
import { WebhookDispatcher } from './modules/webhooks/webhook-dispatcher';
import { ScannerKeys } from './modules/secret-scanning/scanner-keys';
import { Gateway } from './modules/gateway/gateway';
import { gatewayHandler } from './modules/gateway/gateway-http';
import { identityToken } from './modules/gateway/identity-token';
import { TrustedDocumentRegistry } from './modules/gateway/trusted-document.registry';
import { graphqlLimits } from './graphql/graphql-limits';
import { checkActiveToken } from './modules/sessions/session.service';

export interface KeygateOptions {
  clock?: Clock;
  logger?: Logger;
  /** How webhook hosts resolve (tests answer for made-up names); the system resolver by default. */
  webhookResolver?: HostResolver;
}

export interface Keygate {
  runtime: Runtime;
  /** The gateway at /gateway/graphql, when KEYGATE_GATEWAY_UPSTREAM is set. */
  gateway: Gateway | null;
  /** Listens on config.port (0 = an ephemeral port) and returns the GraphQL URL. */
  listen(): Promise<{ url: string; port: number }>;
  /** Creates the first root key when none exists; returns its value once, or null. */
  ensureFirstRootKey(): Promise<string | null>;
  close(): Promise<void>;
}

/** The composition root: config → ORM (migrated) → schema → Apollo → HTTP. */
export async function createKeygate(config: Config, options: KeygateOptions = {}): Promise<Keygate> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const masterKey = resolveMasterKey(config);
  const hasher = new KeyHasher(deriveKey(masterKey, 'api-key-hmac'));
  const orm = await openOrm(config.database, { size: config.pools.size });
  let queryOrm: Orm | undefined;
  let server: KeygateHttpServer | undefined;
  let keyChanges: KeyChangeBus | undefined;
  // Holds a Redis connection when REDIS_URL is set: closed on a failed start too, or the process would hang.
  let rateLimits: RateLimits | undefined;
  let webhooks: WebhookDispatcher | undefined;
  try {
    const applied = await migrate(orm);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
    await verifyMasterKey(orm, masterKey);
    queryOrm = await openQueryOrm(config.database, orm, config.pools);
    const clock = options.clock ?? systemClock;
    const signingKeys = new SigningKeyStore(orm, deriveKey(masterKey, 'signing-key-encryption'), clock);
    const keyCache = new KeyCache(config.keyCache);
    keyChanges = new KeyChangeBus(keyCache, config.database, logger);
    keyChanges.onSigningKeysChanged = () => signingKeys.invalidate();
    const appSettings = new AppSettingsCache();
    const trustedDocuments = new TrustedDocumentRegistry();
    keyChanges.onAppChanged = (appId) => {
      appSettings.invalidate(appId);
      trustedDocuments.invalidate(appId);
    };
    await keyChanges.start();
    rateLimits = new RateLimits(config, logger);
    const origins = consoleOrigins(config);
    const metrics = new Metrics();
    const usage = new UsageRecorder(orm, clock, logger);
    const authFailures = new AuthFailureAuditor(orm, clock, logger);
    const bus = keyChanges;
    const credits = new CreditLedger(orm, config.creditLeases, config.database.dialect === 'postgresql', (em, changes) => bus.announce(em, changes));
    keyChanges.onLeasesWanted = (balanceId) => credits.leases.handBack(balanceId);
    const authenticator = new Authenticator(
      { hasher, clock, keyPrefix: config.keyPrefix, cache: keyCache, config, consoleOrigins: origins, rateLimits, credits },
      { metrics, usage, authFailures, rateLimits },
    );
    const gateway = config.gateway ? new Gateway(config.gateway, clock, logger) : null;
    const runtime: Runtime = {
      config,
      orm,
      queryOrm,
      hasher,
      clock,
      logger,
      proxies: proxyTrust(config.trustProxy),
      consoleOrigins: origins,
      signingKeys,
      metrics,
      usage,
      keyCache,
      authenticator,
      keyChanges,
      rateLimits,
      appSettings,
      credits,
      webhooks: (webhooks = new WebhookDispatcher({
        config,
        orm,
        clock,
        logger,
        secretKey: deriveKey(masterKey, 'webhook-secret-encryption'),
        resolver: options.webhookResolver,
      })),
      secretScanning: config.secretScanningKeysFile ? ScannerKeys.load(config.secretScanningKeysFile) : null,
      gateway,
      issuer: config.publicUrl ?? `${config.tls ? 'https' : 'http'}://localhost:${config.port}`,
    };
    runtime.usage.start();
    await runtime.webhooks.start();
    const apollo = createManagementApollo(await buildKeygateSchema(), runtime);
    await apollo.start();
    await gateway?.start();
    const gatewayEdge = gateway && {
      handle: gatewayHandler({
        gateway,
        authenticator,
        logger,
        fork: () => orm.em.fork(),
        checkToken: (token, em) => checkActiveToken(em(), runtime, token).then((checked) => (checked.active ? checked : null)),
        identityToken: config.gateway?.identityToken
          ? async (credential, scopes, audience, em) => {
              const appId = credential.type === 'key' ? credential.principal.appId : credential.appId;
              const algorithm = (await appSettings.get(em, appId))?.tokenAlgorithm ?? config.tokenAlgorithm;
              return identityToken({ credential, scopes, issuer: runtime.issuer, audience, now: clock.now(), key: await signingKeys.signingKey(algorithm) });
            }
          : null,
        appSettings: (appId, em) => appSettings.get(em, appId),
        recordOperation: (key, outcome) => usage.recordOperation(key, outcome),
        trustedDocument: (appId, hash, em) => trustedDocuments.find(em, appId, hash),
        limits: { maxTokens: config.graphqlLimits.maxTokens, validationRules: graphqlLimits(config).validationRules, introspection: config.introspection },
      }),
      ready: () => gateway.schema !== null,
    };
    server = createHttpServer(apollo, runtime, gatewayEdge);
    const http = server;

    return {
      runtime,
      gateway,
      listen: () =>
        new Promise((resolve, reject) => {
          http.once('error', reject);
          http.listen(config.port, config.host, () => {
            const { port } = http.address() as AddressInfo;
            const scheme = config.tls ? 'https' : 'http';
            const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
            if (!config.publicUrl) runtime.issuer = `${scheme}://${host}:${port}`;
            resolve({ url: `${scheme}://${host}:${port}/graphql`, port });
          });
        }),
      async ensureFirstRootKey() {
        const em = orm.em.fork();
        if (await hasRootKey(em)) return null;
        return (await createRootKey(em, hasher, config.keyPrefix)).value;
      },
      async close() {
        http.drain();
        const closed = new Promise<void>((resolve) => (http.listening ? http.close(() => resolve()) : resolve()));
        // In-flight requests may finish; keep-alive connections that stay open are cut after a bound.
        http.closeIdleConnections();
        const cut = setTimeout(() => http.closeAllConnections(), 5000);
        await closed;
        clearTimeout(cut);
        await apollo.stop();
        gateway?.stop();
        // After the last request: attempts in flight finish or are handed back before the database closes.
        await runtime.webhooks.close();
        // Leases go back to their balances, or a restart would find those credits gone.
        await runtime.credits.close();
        await runtime.usage.stop();
        await runtime.keyChanges.close();
        await runtime.rateLimits.close();
        if (queryOrm !== orm) await queryOrm?.close(true);
        await orm.close(true);
      },
    };
  } catch (error) {
    await webhooks?.close();
    await keyChanges?.close();
    await rateLimits?.close();
    if (queryOrm !== orm) await queryOrm?.close(true);
    await orm.close(true);
    throw error;
  }
}
