// @ts-check
'use strict';

const { performance } = require('node:perf_hooks');
const { onDeployment, createApp, createSecretKey, revokeKey } = require('./keygate');
const { figure, progress } = require('./report');
const { fmt, median, percentile } = require('./stats');

/**
 * Figure 5: how long a key revoked through process A stays usable on process B, which
 * had it cached. Both run on one PostgreSQL database; B learns of the revocation only
 * through the change notification (otherwise it would trust its cache for the TTL,
 * 60 s by default). The baseline, taken in the same loop, is one verify round trip on
 * B: propagation can never look faster than the poll that observes it.
 */

const NAME = 'revocation propagation';
const GOAL_MS = 1000;
const AIM_MS = 100;
/** Give up on one revocation after this long: past the goal, the exact figure matters less than finishing. */
const GIVE_UP_MS = 5000;

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @returns {Promise<import('./report').FigureResult>}
 */
async function revocationFigure(kind, opts) {
  if (kind === 'sqlite') return figure({ id: 5, name: NAME, db: kind, body: 'n/a (SQLite is one process)', na: true });
  progress(`${kind}: figure 5: two Keygate processes, ${opts.revocations} revocations`);
  return onDeployment(kind, opts.pgAdminUrl, 5, NAME, async (deployment, stops) => {
    // Every revocation ends with one 401 from 127.0.0.1, and Keygate answers 429 once an
    // IP has failed KEYGATE_AUTH_FAILURES_PER_IP times (default 20) in a minute: raise
    // the budget so the limiter still runs but never trips during this figure.
    const env = { KEYGATE_AUTH_FAILURES_PER_IP: '1000000' };
    const a = await deployment.start('keygate-a', env);
    stops.push(a.stop);
    const b = await deployment.start('keygate-b', env);
    stops.push(b.stop);
    const root = deployment.rootKey;
    const appId = await createApp(a.client, root);

    /** @type {number[]} */
    const propagation = [];
    /** @type {number[]} */
    const roundTrip = [];
    /** @type {number[]} */
    const polls = [];
    let gaveUp = 0;
    // Round 0 is a warm-up (B's listener, pools, JIT), not recorded.
    for (let i = 0; i <= opts.revocations; i++) {
      const key = await createSecretKey(a.client, root, appId);
      for (let j = 0; j < 2; j++) {
        const res = await b.client.verify(key.secret);
        if (res.status !== 200) throw new Error(`new key not valid on B (${res.status}): ${res.body.slice(0, 200)}`);
        // The second is served from B's cache: that round trip is the baseline.
        if (j === 1 && i > 0) roundTrip.push(res.ms);
      }
      await revokeKey(a.client, root, key.id);
      const revokedAt = performance.now();
      let n = 0;
      for (;;) {
        const res = await b.client.verify(key.secret);
        n++;
        if (res.status === 401) {
          // Only a revocation counts: a 401 for another reason would be a bug, not a figure.
          if (!res.body.includes('KEY_REVOKED')) throw new Error(`401 from B but not KEY_REVOKED: ${res.body.slice(0, 200)}`);
          break;
        }
        if (res.status !== 200) throw new Error(`unexpected ${res.status} from B while polling: ${res.body.slice(0, 200)}`);
        if (performance.now() - revokedAt > GIVE_UP_MS) {
          gaveUp++;
          break;
        }
      }
      if (i > 0) {
        propagation.push(performance.now() - revokedAt);
        polls.push(n);
      }
    }
    const p50 = percentile(propagation, 50);
    const p99 = percentile(propagation, 99);
    const rtt = median(roundTrip);
    return figure({
      id: 5,
      name: NAME,
      db: kind,
      body:
        `p50 ${fmt(p50, 1)} ms p99 ${fmt(p99, 1)} ms (n=${propagation.length}, polls p50 ${median(polls)})` +
        `${gaveUp ? `  [${gaveUp} still valid after ${GIVE_UP_MS} ms]` : ''}  baseline verify round trip p50 ${fmt(rtt, 2)} ms`,
      goal: `p99 < ${GOAL_MS} ms; aim < ${AIM_MS} ms ${p99 < AIM_MS ? 'met' : 'missed'}`,
      met: p99 < GOAL_MS && gaveUp === 0,
      data: { p50, p99, samplesMs: propagation, polls, gaveUp, baselineRoundTripP50: rtt, goal: { p99BelowMs: GOAL_MS, aimMs: AIM_MS } },
    });
  });
}

module.exports = { revocationFigure };
