import { Client } from 'pg';

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** Names the connection in pg_stat_activity. */
  applicationName: string;
  onNotification(payload: string | undefined): void;
  /** After every (re)connect, once LISTEN is in place: whatever was sent meanwhile was missed. */
  onListening(): void;
  /** The connection dropped (never called after close()); a reconnect follows. */
  onLost(error?: Error): void;
  /** The first connection failed; reconnecting follows (later failures only retry). */
  onStartFailed(error: Error): void;
  /** Delay before a reconnect: doubles after each attempt up to maxMs, back to minMs once listening. */
  reconnect: { minMs: number; maxMs: number };
}

/**
 * One PostgreSQL connection LISTENing on one channel, re-opened with backoff when it drops.
 * Notifications are lost while it is down, so users learn of every (re)connect through
 * onListening and catch up there.
 */
export class PgListener {
  private client: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private closed = false;

  constructor(private readonly options: PgListenerOptions) {
    this.reconnectDelay = options.reconnect.minMs;
  }

  /** Resolves once the first connection is up, or has failed (then it keeps retrying). */
  async start(): Promise<void> {
    await this.connect().catch((error: Error) => {
      this.options.onStartFailed(error);
      this.scheduleReconnect();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { channel } = this.options;
    const client = new Client({ connectionString: this.options.url, application_name: this.options.applicationName });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === channel) this.options.onNotification(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.client = undefined;
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.reconnectDelay = this.options.reconnect.minMs;
    this.options.onListening();
  }

  private lost(client: Client, error?: Error): void {
    // close() forgets its client first, so a connection it ends never counts as lost.
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.onLost(error);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnect.maxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }
}
