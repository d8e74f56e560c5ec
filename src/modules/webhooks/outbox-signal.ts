import type { EntityManager, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';

/**
 * Wakes this process's dispatcher right after a transaction that wrote deliveries
 * commits, so commit → receiver takes milliseconds instead of a poll interval. (Other
 * processes on PostgreSQL hear of it by NOTIFY, sent inside the transaction.)
 */
/** The PostgreSQL channel dispatchers listen on; the payload is empty (the rows are the message). */
export const WEBHOOKS_CHANNEL = 'keygate_webhooks';

const written = new WeakSet<EntityManager>();

export function markOutboxWritten(tem: EntityManager): void {
  written.add(tem);
}

export class OutboxCommitSubscriber implements EventSubscriber {
  constructor(private readonly wake: () => void) {}

  afterTransactionCommit(args: TransactionEventArgs): void {
    if (!written.has(args.em)) return;
    written.delete(args.em);
    this.wake();
  }
}
