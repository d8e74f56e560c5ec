/**
 * Every audit action, in one list with no imports, so the console's action filter
 * (which bundles this file) offers exactly what the server writes.
 */
export const AUDIT_ACTIONS = [
  'app.create',
  'app.update',
  'app.delete',
  'key.create',
  'key.update',
  'key.disable',
  'key.enable',
  'key.revoke',
  'key.rotate',
  'rotation.complete',
  'signing_key.rotate',
  'console.sign_in',
  'console.sign_out',
  'key.leaked',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.test',
  'webhook.retry',
  'root_key.create',
  'root_key.revoke',
  'auth.failure',
  'trusted_documents.register',
  'trusted_document.remove',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
