import type { EntityManager } from '@mikro-orm/core';
import { AuthReason, ForbiddenError } from '../../errors';
import { type Principal, PrincipalType } from '../auth/principal';
import { Rotation } from '../rotations/rotation.entity';
import type { UpdateApiKeyInput } from './api-key.inputs';

/** What limits a key's use: the fields a key may not change on itself. */
const OWN_CONTROLS = ['credits', 'rateLimit', 'allowedIps', 'allowedOrigins'] as const satisfies readonly (keyof UpdateApiKeyInput)[];

/**
 * A key's controls bind whoever holds the key, so the key cannot lift them: neither used
 * directly nor through a console session opened with it (the session's principal is the
 * key). Nor on its rotation partner: the two share a credit balance, and the holder of
 * the old key was handed the new one. Its name, owner and metadata it may change, and
 * revoking or rotating itself is fine (a successor inherits the controls). Root keys,
 * and other keys with the role to, may change them.
 */
export async function refuseOwnControls(em: EntityManager, principal: Principal, keyId: string, input: UpdateApiKeyInput): Promise<void> {
  if (principal.type !== PrincipalType.API_KEY) return;
  const touched = OWN_CONTROLS.filter((field) => input[field] !== undefined);
  if (touched.length === 0) return;
  const self = principal.id === keyId || (await isRotationPartner(em, principal.id, keyId));
  if (!self) return;
  throw new ForbiddenError(
    AuthReason.INSUFFICIENT_ROLE,
    `A key cannot change its own ${touched.join(', ')} (nor its rotation partner's): use a root key or another key with the role to`,
  );
}

async function isRotationPartner(em: EntityManager, callerId: string, keyId: string): Promise<boolean> {
  const linked = await em.count(Rotation, { $or: [{ oldKeyId: callerId, newKeyId: keyId }, { oldKeyId: keyId, newKeyId: callerId }] });
  return linked > 0;
}
