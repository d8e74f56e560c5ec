import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import { App, LeakedKeyPolicy } from '../apps/app.entity';
import { type AuditActor, recordAudit } from '../audit/audit.service';
import { parseKey } from '../auth/key-format';
import { keyTransaction } from '../auth/key-transaction';
import { RootKey } from '../auth/root-key.entity';
import { ApiKey } from '../keys/api-key.entity';
import { KeyKind, KeyStatus } from '../keys/key-enums';
import { keyState } from '../keys/key-state';
import { endGrace } from '../rotations/end-grace';
import { emitEvent } from '../webhooks/emit-event';

export const LEAKED_REASON = 'leaked';

/** Where a code host found the string, as it reports it (stored in the audit event and the webhook). */
export interface LeakReport {
  token: string;
  url: string | null;
  source: string | null;
}

export type LeakLabel = 'true_positive' | 'false_positive';

/**
 * Decides one reported string. Anything that is not a working secret or root key of
 * this deployment is a false positive and writes nothing: a malformed string or a bad
 * checksum never reaches the database, an unknown hash changes nothing, and publishable
 * keys are public by design. A working secret key is audited (`key.leaked`), announced
 * by webhook and, under the app's REVOKE policy, revoked at once; a root key (no app,
 * no policy) is always revoked.
 */
export async function handleLeak(em: EntityManager, runtime: Runtime, actor: AuditActor, report: LeakReport): Promise<LeakLabel> {
  const parsed = parseKey(report.token, runtime.config.keyPrefix);
  if (!parsed || (parsed.type === 'app' && parsed.kind === 'pk')) return 'false_positive';
  const hash = runtime.hasher.hash(report.token);
  if (parsed.type === 'root') {
    const root = await em.findOne(RootKey, { hash });
    if (!root) return 'false_positive';
    if (root.revokedAt === null) await revokeRoot(em, runtime, actor, root, report);
    return 'true_positive';
  }
  const key = await em.findOne(ApiKey, { hash });
  if (!key || key.kind !== KeyKind.SECRET) return 'false_positive';
  const now = runtime.clock.now();
  const state = keyState(key, now);
  // Already dead: a real key of ours, but nothing is left to protect.
  if (state.status === KeyStatus.REVOKED || state.status === KeyStatus.EXPIRED) return 'true_positive';
  const app = await em.findOneOrFail(App, { id: key.appId });
  const revoke = app.leakedKeyPolicy === LeakedKeyPolicy.REVOKE;
  await keyTransaction(em, runtime, async (tem, changed) => {
    const found = { url: report.url, source: report.source };
    if (revoke) {
      const claimed = await tem.nativeUpdate(
        ApiKey,
        { id: key.id, revokedAt: state.status === KeyStatus.ROTATING ? { $gt: now } : null },
        { revokedAt: now, revokedReason: LEAKED_REASON },
      );
      // Revoked meanwhile by someone else: still audited and announced as leaked.
      if (claimed === 1) {
        changed({ keyIds: [key.id] });
        if (state.status === KeyStatus.ROTATING) await endGrace(tem, { oldKeyId: key.id }, now);
      }
    }
    await recordAudit(tem, actor, { action: 'key.leaked', appId: key.appId, mode: key.mode, targetId: key.id, details: { ...found, policy: app.leakedKeyPolicy } }, now);
    await emitEvent(tem, { type: 'key.leaked', appId: key.appId, mode: key.mode, data: { key_id: key.id, ...found, policy: app.leakedKeyPolicy } }, now);
    if (!revoke) return;
    await recordAudit(tem, actor, { action: 'key.revoke', appId: key.appId, mode: key.mode, targetId: key.id, details: { reason: LEAKED_REASON, previousStatus: state.status } }, now);
    await emitEvent(tem, { type: 'key.revoked', appId: key.appId, mode: key.mode, data: { key_id: key.id, reason: LEAKED_REASON } }, now);
  });
  return 'true_positive';
}

async function revokeRoot(em: EntityManager, runtime: Runtime, actor: AuditActor, root: RootKey, report: LeakReport): Promise<void> {
  await keyTransaction(em, runtime, async (tem, changed) => {
    const now = runtime.clock.now();
    const claimed = await tem.nativeUpdate(RootKey, { id: root.id, revokedAt: null }, { revokedAt: now });
    if (claimed !== 1) return;
    changed({ keyIds: [root.id] });
    await recordAudit(tem, actor, { action: 'key.leaked', appId: null, mode: null, targetId: root.id, details: { url: report.url, source: report.source, revoked: true } }, now);
  });
}
