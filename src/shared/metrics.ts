import Negotiator from 'negotiator';
import { Counter, Histogram, type Metric, type OpenMetricsContentType, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'keygate_';
// With the versions the two serialisers write, so an Accept naming a version matches only its own.
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4';
const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0';
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

  /**
   * The exposition a scraper asked for: OpenMetrics when its Accept header prefers it (as
   * Prometheus's does), else the Prometheus text format (also for no or an unknown Accept).
   */
  async exposition(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const preferred = new Negotiator({ headers: { accept } }).mediaType([PROMETHEUS_TEXT, OPENMETRICS_TEXT]);
    if (preferred !== OPENMETRICS_TEXT) return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    const view = new Registry<OpenMetricsContentType>();
    view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    for (const metric of this.registry.getMetricsAsArray()) view.registerMetric(openMetricsStandIn(metric));
    return { contentType: view.contentType, body: await view.metrics() };
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    const outcome = `${Math.floor(status / 100)}xx`;
    this.requests.inc({ route, method, outcome });
    this.latency.observe({ route, outcome }, seconds);
  }
}

/**
 * `metric` as a per-request OpenMetrics registry sees it. prom-client writes OpenMetrics by
 * renaming each counter in place (dropping `_total`, which it then adds to the samples), so
 * serialising the live metrics would leave every later Prometheus-text answer without the
 * suffix. The stand-in takes the rename; its values are read from the live metric.
 */
function openMetricsStandIn(metric: RegisteredMetric): Metric {
  // getMetricsAsArray() types the registered metrics as plain objects; each is a Metric.
  const live = metric as unknown as Metric;
  const standIn = { name: metric.name, help: metric.help, type: metric.type, aggregator: metric.aggregator, get: async () => ({ ...(await live.get()), name: standIn.name }) };
  return standIn as unknown as Metric;
}

type RegisteredMetric = ReturnType<Registry['getMetricsAsArray']>[number];
