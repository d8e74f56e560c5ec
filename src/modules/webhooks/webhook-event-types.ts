/** Every event type of DESIGN.md "Webhooks"; endpoints subscribe to a subset (none = all). */
export const WEBHOOK_EVENT_TYPES = [
  'key.created',
  'key.updated',
  'key.disabled',
  'key.enabled',
  'key.revoked',
  'key.rotated',
  'rotation.completed',
  'rotation.grace_ending',
  'key.expiring',
  'key.credits_low',
  'key.leaked',
  'webhook.test',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
