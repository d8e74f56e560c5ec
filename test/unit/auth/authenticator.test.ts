import { describe, expect, it } from 'vitest';
import { AuthReason } from '../../../src/errors';
import { Authenticator } from '../../../src/modules/auth/authenticator';
import { cacheKey, pipelineParts, secretKey, untouchable } from './pipeline-parts';

/** Sinks that write down what they were told. */
function recordingSinks() {
  const log: string[] = [];
  return {
    log,
    sinks: {
      metrics: { verifications: { inc: (labels: { outcome: string }) => void log.push(`metric ${labels.outcome}`) } } as never,
      usage: { record: (key: { id: string }, kind: string) => void log.push(`usage ${key.id} ${kind}`), recordRootUse: (id: string) => void log.push(`root ${id}`) },
      authFailures: { record: (key: { id: string }, reason: string) => void log.push(`audit ${key.id} ${reason}`) },
      rateLimits: { recordAuthFailure: async (ip: string | null) => void log.push(`ip budget ${ip}`) },
    },
  };
}

/** The client claims 203.0.113.9; the nearest proxy saw 198.51.100.4 (request.ts ClientAddress). */
const facts = (key: string) => ({ credential: { ok: true as const, key }, origin: undefined, ip: '203.0.113.9', throttleIp: '198.51.100.4', requestId: 'req-1' });

describe('the side effects around the pipeline', () => {
  it('counts a success and its use once, synchronously for a cached key', () => {
    const { parts } = pipelineParts();
    const { sinks, log } = recordingSinks();
    const { value, record } = secretKey();
    cacheKey(parts, value, record);
    const outcome = new Authenticator(parts, sinks).authenticate(untouchable, facts(value));
    expect(outcome).toMatchObject({ ok: true });
    expect(log).toEqual(['metric valid', 'usage key_1 verification']);
  });

  it("counts and audits a real key's refusal without spending the client IP's budget", () => {
    const { parts } = pipelineParts();
    const { sinks, log } = recordingSinks();
    const { value, record } = secretKey({ revokedAt: new Date('2026-01-01T00:00:00Z') });
    cacheKey(parts, value, record);
    new Authenticator(parts, sinks).authenticate(untouchable, facts(value));
    expect(log).toEqual(['metric KEY_REVOKED', 'usage key_1 failure', 'audit key_1 KEY_REVOKED']);
  });

  it("spends the budget of the request's throttle address (not the claimed client IP) for a guess before answering", async () => {
    const { parts } = pipelineParts();
    const { sinks, log } = recordingSinks();
    await expect(new Authenticator(parts, sinks).authenticate(untouchable, facts('sk_live_nope'))).resolves.toMatchObject({ reason: AuthReason.KEY_MALFORMED });
    expect(log).toEqual(['metric KEY_MALFORMED', 'ip budget 198.51.100.4']);
  });

  it('records nothing for a request that sent no credential', () => {
    const { parts } = pipelineParts();
    const { sinks, log } = recordingSinks();
    new Authenticator(parts, sinks).authenticate(untouchable, { ...facts(''), credential: { ok: false, reason: AuthReason.KEY_MISSING } });
    expect(log).toEqual([]);
  });
});
