import type { RelayStats } from '../outbox/outbox-relay.ts';

/** The relay's figures in the Prometheus text format. */
export function relayMetrics(s: RelayStats): string {
  const lines = [
    '# HELP outbox_pending Events written but not yet on Kafka.',
    '# TYPE outbox_pending gauge',
    `outbox_pending ${s.pending}`,
    '# HELP outbox_oldest_age_seconds Age of the oldest unpublished event.',
    '# TYPE outbox_oldest_age_seconds gauge',
    `outbox_oldest_age_seconds ${s.oldestAgeSeconds.toFixed(3)}`,
    '# HELP outbox_published_total Events this process published.',
    '# TYPE outbox_published_total counter',
    `outbox_published_total ${s.published}`,
    '# HELP outbox_publish_failures_total Failed publish attempts (each retried with backoff).',
    '# TYPE outbox_publish_failures_total counter',
    `outbox_publish_failures_total ${s.failures}`,
    '# HELP outbox_publish_latency_ms Commit to publish ack, over the last 4096 events.',
    '# TYPE outbox_publish_latency_ms summary',
  ];
  for (const [q, val] of [
    ['0.5', s.latencyMs.p50],
    ['0.95', s.latencyMs.p95],
    ['0.99', s.latencyMs.p99],
  ] as const) {
    if (val !== null) lines.push(`outbox_publish_latency_ms{quantile="${q}"} ${val}`);
  }
  return `${lines.join('\n')}\n`;
}
