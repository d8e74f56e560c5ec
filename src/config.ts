import { z } from 'zod';
import type { LeasePolicy } from './modules/credits/credit-leases';
import type { TokenAlgorithm } from './modules/sessions/token-algorithm';

/**
 * The environment, parsed once into a typed Config. Everything else in the service
 * reads this object, never process.env, so a bad setting fails at start with one
 * clear message instead of somewhere in the middle of a request.
 */

const nodeEnv = z.enum(['development', 'test', 'production']);

const originList = z
  .string()
  .optional()
  .transform((raw) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean));

const envSchema = z.object({
  NODE_ENV: nodeEnv.default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z.string().min(1).default('sqlite:data/keygate.db'),
  KEYGATE_DATA_DIR: z.string().min(1).default('data'),
  KEYGATE_MASTER_KEY: z.string().optional(),
  KEYGATE_PUBLIC_URL: z.string().url().optional(),
  KEYGATE_KEY_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,15}$/, 'must be 1-16 lowercase letters or digits, starting with a letter')
    .optional(),
  KEYGATE_CONSOLE_ORIGINS: originList,
  KEYGATE_TOKEN_ALGORITHM: z.enum(['EDDSA', 'ES256']).default('EDDSA'),
  KEYGATE_TRUST_PROXY: z.string().optional(),
  KEYGATE_TLS_CERT: z.string().optional(),
  KEYGATE_TLS_KEY: z.string().optional(),
  KEYGATE_INTROSPECTION: z.enum(['true', 'false']).optional(),
  KEYGATE_SANDBOX: z.enum(['true', 'false']).optional(),
  KEYGATE_CONSOLE: z.enum(['true', 'false']).default('true'),
  KEYGATE_KEY_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  KEYGATE_KEY_CACHE_TTL_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  KEYGATE_CREDIT_LEASE_USES: z.coerce.number().int().min(0).max(100_000).default(1024),
  KEYGATE_CREDIT_LEASE_IDLE_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  REDIS_URL: z.string().url().optional(),
  KEYGATE_AUTH_FAILURES_PER_IP: z.coerce.number().int().min(0).default(20),
  KEYGATE_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  KEYGATE_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  KEYGATE_GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  KEYGATE_GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  KEYGATE_GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(5_000),
  KEYGATE_GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(10).default(2_000),
  KEYGATE_GRAPHQL_HEAVY_COST: z.coerce.number().int().min(1).default(1_000),
  KEYGATE_GRAPHQL_HEAVY_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  KEYGATE_GRAPHQL_TIME_BUDGET_MS: z.coerce.number().int().min(100).default(10_000),
  KEYGATE_DB_POOL_SIZE: z.coerce.number().int().min(2).max(1000).default(10),
  KEYGATE_DB_QUERY_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(4),
  KEYGATE_DB_QUERY_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  KEYGATE_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*0\s*(,\s*\d+\s*)*$/, 'must be a comma-separated list of seconds starting with 0 (the first attempt is made at once), e.g. 0,5,300')
    .default('0,5,300,1800,7200,18000,36000,36000'),
  KEYGATE_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  KEYGATE_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  KEYGATE_WEBHOOK_SCAN_SECONDS: z.coerce.number().min(0.01).max(3600).default(60),
  KEYGATE_WEBHOOK_MAX_ENDPOINTS: z.coerce.number().int().min(1).default(16),
  KEYGATE_SECRET_SCANNING_KEYS: z.string().optional(),
  KEYGATE_GATEWAY_UPSTREAM: z.string().url().optional(),
  KEYGATE_GATEWAY_UPSTREAM_TEST: z.string().url().optional(),
  KEYGATE_GATEWAY_SCHEMA: z.string().min(1).optional(),
  KEYGATE_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  KEYGATE_GATEWAY_IDENTITY_TOKEN: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every variable the configuration reads (docs/configuration.md documents each). */
export const ENVIRONMENT_VARIABLES = Object.keys(envSchema.shape);

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgresql'; url: string };

export type TrustProxy = { kind: 'none' } | { kind: 'all' } | { kind: 'list'; entries: string[] };

export interface Config {
  env: z.infer<typeof nodeEnv>;
  host: string;
  port: number;
  database: DatabaseConfig;
  dataDir: string;
  /** base64 of 32 bytes, or undefined: then a development key is generated into dataDir. */
  masterKey: string | undefined;
  publicUrl: string | undefined;
  keyPrefix: string | undefined;
  /** How new apps sign their session tokens unless they say otherwise. */
  tokenAlgorithm: TokenAlgorithm;
  consoleOrigins: string[];
  trustProxy: TrustProxy;
  tls: { cert: string; key: string } | undefined;
  introspection: boolean;
  sandbox: boolean;
  /** The web console at /console (and its sign-in endpoint); on unless KEYGATE_CONSOLE=false. */
  console: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Shared rate-limit counters across processes; per-process memory without it. */
  redisUrl: string | undefined;
  /** Failed authentications allowed per client IP and window before 429 (0 = no limit). */
  authFailuresPerIp: { limit: number; windowSeconds: number };
  graphqlLimits: GraphQLLimits;
  pools: DatabasePools;
  /** The verification cache (see key-cache.ts); size 0 turns it off. */
  keyCache: KeyCacheConfig;
  /** How much of a balance a process may hold in memory (credit-leases.ts); maxUses 0: none. */
  creditLeases: LeasePolicy;
  webhooks: WebhookConfig;
  /** File of code hosts' public keys (`{"public_keys":[…]}`); secret scanning is off without it. */
  secretScanningKeysFile: string | undefined;
  /** The GraphQL gateway at /gateway/graphql; null (404 there) without KEYGATE_GATEWAY_UPSTREAM. */
  gateway: GatewayConfig | null;
}

export interface GatewayConfig {
  /** Where live-mode credentials' operations go. */
  upstream: string;
  /** Where test-mode credentials' operations go (a sandbox); the live upstream unless set. */
  upstreamTest: string;
  /** The upstream's SDL with its directives; without it the upstream is introspected at start. */
  schemaFile: string | undefined;
  timeoutMs: number;
  /** Whether each upstream call carries X-Keygate-Token, a 60 s JWT of the caller verifiable through the JWKS. */
  identityToken: boolean;
}

export interface WebhookConfig {
  /** Seconds before each attempt: the first after the event, each next after a failure. */
  retrySchedule: number[];
  /** Whether endpoints may resolve to loopback, private or link-local addresses (always outside production). */
  allowPrivate: boolean;
  /** How often due deliveries are looked for besides the wake-ups after commits. */
  pollMs: number;
  /** How often timed events (key.expiring, rotation.grace_ending) are looked for. */
  scanMs: number;
  /** Endpoints an app may have per mode: bounds each event's fan-out. Lowering it keeps the ones there. */
  maxEndpoints: number;
}

export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
  maxTokens: number;
  /** Operations estimated above this cost take turns, heavyConcurrency at a time per process. */
  heavyCost: number;
  heavyConcurrency: number;
  /** Wall-clock budget of one GraphQL request: fields not started by then answer TIMEOUT. */
  timeBudgetMs: number;
}

/**
 * PostgreSQL connection pools. GraphQL queries (the reads whose cost a caller chooses) get
 * a pool of their own, with a statement timeout, so they can never take the connections
 * that verification, mutations and the usage flush need. SQLite has one connection and
 * no pools: there the cost limit and the time budget bound a query.
 */
export interface DatabasePools {
  size: number;
  querySize: number;
  queryStatementTimeoutMs: number;
}

export interface KeyCacheConfig {
  maxEntries: number;
  ttlMs: number;
  negativeMaxEntries: number;
  negativeTtlMs: number;
  degradedTtlMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgresql', url };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:data/keygate.db');
    return { dialect: 'sqlite', file };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or postgres:// (got an unsupported scheme)');
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === '' || raw === 'false') return { kind: 'none' };
  if (raw === 'true') return { kind: 'all' };
  return { kind: 'list', entries: raw.split(',').map((s) => s.trim()).filter(Boolean) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.KEYGATE_MASTER_KEY) {
    throw new ConfigError('KEYGATE_MASTER_KEY is required in production (32 bytes, base64)');
  }
  if (Boolean(e.KEYGATE_TLS_CERT) !== Boolean(e.KEYGATE_TLS_KEY)) {
    throw new ConfigError('KEYGATE_TLS_CERT and KEYGATE_TLS_KEY must be set together');
  }
  const production = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database: parseDatabaseUrl(e.DATABASE_URL),
    dataDir: e.KEYGATE_DATA_DIR,
    masterKey: e.KEYGATE_MASTER_KEY,
    publicUrl: e.KEYGATE_PUBLIC_URL?.replace(/\/+$/, ''),
    keyPrefix: e.KEYGATE_KEY_PREFIX,
    // The schema admits exactly the enum's values.
    tokenAlgorithm: e.KEYGATE_TOKEN_ALGORITHM as TokenAlgorithm,
    consoleOrigins: e.KEYGATE_CONSOLE_ORIGINS,
    trustProxy: parseTrustProxy(e.KEYGATE_TRUST_PROXY),
    tls: e.KEYGATE_TLS_CERT && e.KEYGATE_TLS_KEY ? { cert: e.KEYGATE_TLS_CERT, key: e.KEYGATE_TLS_KEY } : undefined,
    introspection: e.KEYGATE_INTROSPECTION ? e.KEYGATE_INTROSPECTION === 'true' : !production,
    sandbox: e.KEYGATE_SANDBOX ? e.KEYGATE_SANDBOX === 'true' : !production,
    console: e.KEYGATE_CONSOLE === 'true',
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    authFailuresPerIp: { limit: e.KEYGATE_AUTH_FAILURES_PER_IP, windowSeconds: e.KEYGATE_AUTH_FAILURE_WINDOW_SECONDS },
    graphqlLimits: {
      maxDepth: e.KEYGATE_GRAPHQL_MAX_DEPTH,
      maxAliases: e.KEYGATE_GRAPHQL_MAX_ALIASES,
      maxDirectives: e.KEYGATE_GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.KEYGATE_GRAPHQL_MAX_COST,
      maxTokens: e.KEYGATE_GRAPHQL_MAX_TOKENS,
      heavyCost: e.KEYGATE_GRAPHQL_HEAVY_COST,
      heavyConcurrency: e.KEYGATE_GRAPHQL_HEAVY_CONCURRENCY,
      timeBudgetMs: e.KEYGATE_GRAPHQL_TIME_BUDGET_MS,
    },
    pools: { size: e.KEYGATE_DB_POOL_SIZE, querySize: e.KEYGATE_DB_QUERY_POOL_SIZE, queryStatementTimeoutMs: e.KEYGATE_DB_QUERY_STATEMENT_TIMEOUT_MS },
    keyCache: {
      maxEntries: e.KEYGATE_KEY_CACHE_SIZE,
      ttlMs: e.KEYGATE_KEY_CACHE_TTL_SECONDS * 1000,
      // Unknown keys: fewer and briefer, enough to absorb a flood of made-up keys.
      negativeMaxEntries: Math.min(e.KEYGATE_KEY_CACHE_SIZE, 10_000),
      negativeTtlMs: Math.min(e.KEYGATE_KEY_CACHE_TTL_SECONDS * 1000, 10_000),
      // While PostgreSQL notifications may be missed, a revocation elsewhere shows within this.
      degradedTtlMs: 1_000,
    },
    // A lease never holds more than 1/16 of the balance it is taken from: what a crash can lose.
    // 1024 uses by default: topped up at half, a lease lasts ~100 ms at 5 000 req/s, longer than
    // an SQLite commit on a busy disk (with 256, uses waited for the top-up: figure 7 at 0.62).
    creditLeases: { maxUses: e.KEYGATE_CREDIT_LEASE_USES, share: 16, idleMs: e.KEYGATE_CREDIT_LEASE_IDLE_MS },
    webhooks: {
      retrySchedule: e.KEYGATE_WEBHOOK_RETRY_SCHEDULE.split(',').map((s) => Number(s.trim())),
      allowPrivate: !production || e.KEYGATE_WEBHOOK_ALLOW_PRIVATE === 'true',
      pollMs: e.KEYGATE_WEBHOOK_POLL_MS,
      scanMs: e.KEYGATE_WEBHOOK_SCAN_SECONDS * 1000,
      maxEndpoints: e.KEYGATE_WEBHOOK_MAX_ENDPOINTS,
    },
    secretScanningKeysFile: e.KEYGATE_SECRET_SCANNING_KEYS,
    gateway: e.KEYGATE_GATEWAY_UPSTREAM
      ? { upstream: e.KEYGATE_GATEWAY_UPSTREAM, upstreamTest: e.KEYGATE_GATEWAY_UPSTREAM_TEST ?? e.KEYGATE_GATEWAY_UPSTREAM, schemaFile: e.KEYGATE_GATEWAY_SCHEMA, timeoutMs: e.KEYGATE_GATEWAY_TIMEOUT_MS, identityToken: e.KEYGATE_GATEWAY_IDENTITY_TOKEN === 'true' }
      : null,
  };
}
