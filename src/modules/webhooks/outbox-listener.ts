import { Client } from 'pg';
import type { Logger } from 'pino';
import { WEBHOOKS_CHANNEL } from './outbox-signal';

const RECONNECT_MS = 1_000;

/**
 * LISTENs for "deliveries are due" from every process on the PostgreSQL database. A
 * lost connection is only a slower wake-up (the dispatcher also polls), so it is
 * re-opened quietly; every (re)connect wakes the dispatcher once.
 */
export class OutboxListener {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly wake: () => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect().catch(() => this.retry());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, application_name: 'keygate-webhooks' });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === WEBHOOKS_CHANNEL) this.wake();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${WEBHOOKS_CHANNEL}`);
    } catch (error) {
      this.client = undefined;
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.wake();
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (!this.closed) this.logger.warn('webhook listener lost its connection; polling until it is back');
    this.retry();
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch(() => this.retry());
    }, RECONNECT_MS);
    this.timer.unref();
  }
}
