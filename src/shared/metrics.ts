import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'keygate_';
const MISNAMED_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Prometheus metrics of one server (own registry, so several servers in one process,
 * as in the tests, do not share counters). Labels are bounded: routes are a fixed set.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'keygate_http_requests_total',
    help: 'HTTP requests by route, method and status class',
    labelNames: ['route', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'keygate_http_request_duration_seconds',
    help: 'HTTP request latency by route and outcome',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'keygate_key_verifications_total',
    help: 'Credential verifications by outcome (valid, or the failure reason)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly tokensMinted = new Counter({
    name: 'keygate_tokens_minted_total',
    help: 'Session tokens minted, by mode',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });

  constructor(collectProcessMetrics = true) {
    if (collectProcessMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
      // prom-client names three gauges *_total, which Prometheus reserves for counters
      // (`promtool check metrics` fails); each is the sum of the per-type gauge it sits beside.
      for (const name of MISNAMED_GAUGES) this.registry.removeSingleMetric(`${PREFIX}${name}`);
    }
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    const outcome = `${Math.floor(status / 100)}xx`;
    this.requests.inc({ route, method, outcome });
    this.latency.observe({ route, outcome }, seconds);
  }
}
