import { registerEnumType } from 'type-graphql';

export enum KeyKind {
  PUBLISHABLE = 'PUBLISHABLE',
  SECRET = 'SECRET',
}

export enum KeyMode {
  LIVE = 'LIVE',
  TEST = 'TEST',
}

/** Ordered from least to most powerful; see ROLE_RANK. */
export enum KeyRole {
  READ_ONLY = 'READ_ONLY',
  READ_WRITE = 'READ_WRITE',
  ADMIN = 'ADMIN',
}

export enum KeyStatus {
  ACTIVE = 'ACTIVE',
  ROTATING = 'ROTATING',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
  /** Refused with KEY_DISABLED until enabled again. */
  DISABLED = 'DISABLED',
}

export const ROLE_RANK: Record<KeyRole, number> = { READ_ONLY: 1, READ_WRITE: 2, ADMIN: 3 };

export const MODE_CODE = { LIVE: 'live', TEST: 'test' } as const satisfies Record<KeyMode, string>;
export const KIND_CODE = { PUBLISHABLE: 'pk', SECRET: 'sk' } as const satisfies Record<KeyKind, string>;

registerEnumType(KeyKind, { name: 'KeyKind', description: 'Publishable keys are public; secret keys are shown once.' });
registerEnumType(KeyMode, { name: 'KeyMode', description: 'Test mode is a sandbox separate from live data.' });
registerEnumType(KeyRole, { name: 'KeyRole', description: 'Role of a secret key.' });
registerEnumType(KeyStatus, { name: 'KeyStatus' });
