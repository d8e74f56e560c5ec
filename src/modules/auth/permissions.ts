import { KeyKind, KeyRole } from '../keys/key-enums';
import { type Principal, PrincipalType } from './principal';

/**
 * What each kind of principal may do: DESIGN.md's permission table as data. The
 * graphql-shield map (shield.ts) names these permissions per field; Viewer.permissions
 * and /auth/verify report them. Change the table here and nowhere else.
 */
export const PERMISSIONS = [
  'viewer:read',
  'apps:read',
  'keys:read',
  'rotations:read',
  'usage:read',
  'tokens:introspect',
  'sessions:create',
  'keys:create_publishable',
  'audit:read',
  'keys:create_secret',
  'keys:update',
  'keys:revoke',
  'keys:rotate',
  'rotations:complete',
  'apps:update',
  'apps:create',
  'apps:delete',
  'signing_keys:rotate',
  'signing_keys:read',
  'webhooks:read',
  'webhooks:manage',
  'root_keys:manage',
  'trusted_documents:read',
  'trusted_documents:manage',
  'gateway:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const PUBLISHABLE: Permission[] = ['viewer:read', 'sessions:create'];
const READ_ONLY: Permission[] = ['viewer:read', 'apps:read', 'keys:read', 'rotations:read', 'usage:read', 'tokens:introspect', 'trusted_documents:read', 'gateway:read'];
const READ_WRITE: Permission[] = [...READ_ONLY, 'sessions:create', 'keys:create_publishable'];
const ADMIN: Permission[] = [
  ...READ_WRITE,
  'audit:read',
  'keys:create_secret',
  'keys:update',
  'keys:revoke',
  'keys:rotate',
  'rotations:complete',
  'apps:update',
  'webhooks:read',
  'webhooks:manage',
  'trusted_documents:manage',
];
const ROOT: Permission[] = [...PERMISSIONS];

const BY_ROLE: Record<KeyRole, Permission[]> = { READ_ONLY, READ_WRITE, ADMIN };

export function permissionsOf(principal: Principal): readonly Permission[] {
  if (principal.type === PrincipalType.ROOT) return ROOT;
  if (principal.kind === KeyKind.PUBLISHABLE) return PUBLISHABLE;
  return principal.role ? BY_ROLE[principal.role] : [];
}

export function can(principal: Principal | null, permission: Permission): boolean {
  return principal !== null && permissionsOf(principal).includes(permission);
}
