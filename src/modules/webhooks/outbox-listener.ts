import type { Logger } from 'pino';
import { PgListener } from '../../database/pg-listener';
import { WEBHOOKS_CHANNEL } from './outbox-signal';

const RECONNECT_MS = 1_000;

/**
 * LISTENs for "deliveries are due" from every process on the PostgreSQL database. A
 * lost connection is only a slower wake-up (the dispatcher also polls), so it is
 * re-opened quietly, at a steady pace; every (re)connect wakes the dispatcher once.
 */
export class OutboxListener {
  private readonly listener: PgListener;

  constructor(url: string, wake: () => void, logger: Logger) {
    this.listener = new PgListener({
      url,
      channel: WEBHOOKS_CHANNEL,
      applicationName: 'keygate-webhooks',
      onNotification: () => wake(),
      onListening: () => wake(),
      onLost: () => logger.warn('webhook listener lost its connection; polling until it is back'),
      onStartFailed: () => undefined,
      reconnect: { minMs: RECONNECT_MS, maxMs: RECONNECT_MS },
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
