import type { Logger } from 'pino';
import type { Orm } from '../../database/orm';
import type { Clock } from '../../shared/clock';
import type { KeyRef } from '../auth/key-records';
import { PrincipalType } from '../auth/principal';
import { recordAudit } from './audit.service';
import { errorForLog } from '../../logger';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Audits failed authentications of real keys (revoked, expired, wrong origin, role
 * too low) as `auth.failure`, at most once per key and reason per minute, so a flood
 * of bad requests cannot bloat the table. Usage counters still count every failure.
 */
export class AuthFailureAuditor {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly orm: Orm,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  record(key: KeyRef, reason: string, request: { ip: string | null; requestId: string }): void {
    const now = this.clock.now();
    const id = `${key.id}|${reason}`;
    const last = this.lastWritten.get(id);
    if (last !== undefined && now.getTime() - last < WINDOW_MS) return;
    if (this.lastWritten.size >= MAX_TRACKED) this.lastWritten.clear();
    this.lastWritten.set(id, now.getTime());
    const actor = { principal: { type: PrincipalType.API_KEY, id: key.id } as never, ip: request.ip, requestId: request.requestId };
    void this.orm.em
      .fork()
      .transactional((em) => recordAudit(em, actor, { action: 'auth.failure', appId: key.appId, mode: key.mode, targetId: key.id, details: { reason } }, now))
      .catch((error: unknown) => this.logger.error({ requestId: request.requestId, err: errorForLog(error) }, 'could not audit a failed authentication'));
  }
}
