import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BucketFragment } from '../gql/graphql';

const SERIES = [
  { key: 'verifications', label: 'Verifications', stroke: '#2563eb' },
  { key: 'failures', label: 'Failures', stroke: '#dc2626' },
  { key: 'tokensIssued', label: 'Tokens issued', stroke: '#059669' },
] as const;

type Series = (typeof SERIES)[number]['key'];

function toData(buckets: readonly Partial<BucketFragment>[], series: readonly Series[]): uPlot.AlignedData {
  return [buckets.map((b) => new Date(b.start as string).getTime() / 1000), ...series.map((s) => buckets.map((b) => (b[s] as number | undefined) ?? 0))];
}

interface ChartProps {
  buckets: readonly Partial<BucketFragment>[];
  series?: readonly Series[];
  /** Fixed width in px; without it the chart takes its container's width and follows it (a phone, a resized window). */
  width?: number;
  height?: number;
  /** A sparkline: no axes, no legend. */
  compact?: boolean;
}

/** A uPlot time series drawn on canvas; the caller wraps it in a captioned figure with the numbers as text. */
export function UsageChart({ buckets, series = ['verifications', 'failures', 'tokensIssued'], width: fixedWidth, height = 240, compact = false }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const [measured, setMeasured] = useState(0);
  useEffect(() => {
    if (fixedWidth || !host.current) return;
    const element = host.current;
    const observer = new ResizeObserver(() => setMeasured(Math.floor(element.clientWidth)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [fixedWidth]);
  const width = fixedWidth ?? measured;
  useEffect(() => {
    if (!host.current || width <= 0) return;
    const chosen = SERIES.filter((s) => series.includes(s.key));
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: !compact },
        cursor: { show: !compact },
        axes: compact ? [{ show: false }, { show: false }] : [{}, { label: 'Count' }],
        // A sparkline keeps a margin below zero, or a quiet key's flat line would sit on the edge, unseen.
        scales: { x: { time: true }, y: { range: (_u, _min, max) => (compact ? [-0.15 * Math.max(1, max), 1.1 * Math.max(1, max)] : [0, Math.max(1, max)]) } },
        series: [{}, ...chosen.map((s) => ({ label: s.label, stroke: s.stroke, width: compact ? 1.5 : 2, ...(compact ? { fill: 'rgba(37, 99, 235, 0.15)' } : {}) }))],
      },
      toData(buckets, chosen.map((s) => s.key)),
      host.current,
    );
    return () => plot.destroy();
  }, [buckets, series, width, height, compact]);
  return <div ref={host} className="chart" aria-hidden="true" />;
}

export function totals(buckets: readonly BucketFragment[]) {
  return buckets.reduce((sum, b) => ({ verifications: sum.verifications + b.verifications, failures: sum.failures + b.failures, tokensIssued: sum.tokensIssued + b.tokensIssued }), {
    verifications: 0,
    failures: 0,
    tokensIssued: 0,
  });
}

/** The figure captioned "Usage": the chart plus its totals as text, for screen readers and tests alike. */
export function UsageFigure({ buckets, description }: { buckets: readonly BucketFragment[]; description: string }) {
  const sum = totals(buckets);
  return (
    <figure className="usage" aria-label="Usage">
      <figcaption>
        Usage <span className="hint">{description}</span>
      </figcaption>
      <UsageChart buckets={buckets} />
      <p className="totals">
        Verifications: <strong data-total="verifications">{sum.verifications}</strong> · Failures: <strong data-total="failures">{sum.failures}</strong> · Tokens issued:{' '}
        <strong data-total="tokensIssued">{sum.tokensIssued}</strong>
      </p>
    </figure>
  );
}
