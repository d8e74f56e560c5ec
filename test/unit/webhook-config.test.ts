import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const production = { NODE_ENV: 'production', KEYGATE_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };

describe('webhook configuration', () => {
  it('retries on the contract schedule by default: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(loadConfig({}).webhooks.retrySchedule).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('reads KEYGATE_WEBHOOK_RETRY_SCHEDULE as seconds, and refuses one that does not start with 0', () => {
    expect(loadConfig({ KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0, 1,2' }).webhooks.retrySchedule).toEqual([0, 1, 2]);
    expect(() => loadConfig({ KEYGATE_WEBHOOK_RETRY_SCHEDULE: '5,10' })).toThrow(ConfigError);
    expect(() => loadConfig({ KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0,soon' })).toThrow(/KEYGATE_WEBHOOK_RETRY_SCHEDULE/);
  });

  it('caps endpoints at 16 per app and mode by default, as KEYGATE_WEBHOOK_MAX_ENDPOINTS says, and at least 1', () => {
    expect(loadConfig({}).webhooks.maxEndpoints).toBe(16);
    expect(loadConfig({ KEYGATE_WEBHOOK_MAX_ENDPOINTS: '40' }).webhooks.maxEndpoints).toBe(40);
    expect(() => loadConfig({ KEYGATE_WEBHOOK_MAX_ENDPOINTS: '0' })).toThrow(/KEYGATE_WEBHOOK_MAX_ENDPOINTS/);
    expect(() => loadConfig({ KEYGATE_WEBHOOK_MAX_ENDPOINTS: 'many' })).toThrow(ConfigError);
  });

  it('allows private receivers outside production only, unless KEYGATE_WEBHOOK_ALLOW_PRIVATE=true', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).webhooks.allowPrivate).toBe(true);
    expect(loadConfig(production).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({ ...production, KEYGATE_WEBHOOK_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true);
  });
});
