import type { Clock } from '../../shared/clock';
import type { Logger } from '../../logger';
import type { GatewayConfig } from '../../config';
import { errorForLog } from '../../logger';
import { KeyMode } from '../keys/key-enums';
import { UpstreamExecutor } from './upstream-executor';
import { type UpstreamSchema, schemaByIntrospection, schemaFromFile } from './upstream-schema';

/** How long to wait before asking an upstream that did not answer introspection again. */
const RETRY_MS = 1000;

/**
 * The gateway's state: the upstream executors (live and test mode) and the upstream's
 * schema, loaded at start from the SDL file or by introspection (retried until it
 * answers; /readyz says 503 until then).
 */
export class Gateway {
  readonly live: UpstreamExecutor;
  readonly test: UpstreamExecutor;
  private loaded: UpstreamSchema | null = null;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Settles once a schema is loaded (tests and the start log wait on it). */
  readonly ready: Promise<UpstreamSchema>;
  private markReady!: (schema: UpstreamSchema) => void;

  constructor(
    readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.live = new UpstreamExecutor(config.upstream, config.timeoutMs);
    this.test = config.upstreamTest === config.upstream ? this.live : new UpstreamExecutor(config.upstreamTest, config.timeoutMs);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  get schema(): UpstreamSchema | null {
    return this.loaded;
  }

  /** Where a credential of `mode` is sent: test-mode credentials reach the sandbox upstream. */
  executorFor(mode: KeyMode): UpstreamExecutor {
    return mode === KeyMode.TEST ? this.test : this.live;
  }

  /** Loads the schema from the SDL file (a bad file fails the start) or begins introspecting the upstream. */
  async start(): Promise<void> {
    if (this.config.schemaFile) return this.use(await schemaFromFile(this.config.schemaFile, this.clock.now()));
    void this.introspect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async introspect(): Promise<void> {
    try {
      this.use(await schemaByIntrospection(this.live, () => this.clock.now()));
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn({ err: errorForLog(error) }, 'gateway: the upstream schema is not loaded yet; retrying');
      this.retry = setTimeout(() => void this.introspect(), RETRY_MS);
    }
  }

  private use(schema: UpstreamSchema): void {
    this.loaded = schema;
    this.logger.info({ source: schema.source }, 'gateway: upstream schema loaded');
    this.markReady(schema);
  }
}
