import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { FlywheelConfig } from '../config/schema.js';

/** One JSON object per line, with the SDK's workflow/activity context (ids, types, attempt) as fields. */
function jsonLine(entry: LogEntry): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  process.stderr.write(`${JSON.stringify({ time, level: entry.level, message: entry.message, ...entry.meta })}\n`);
}

/**
 * Installs the Temporal runtime once per process, before any connection: structured logs (JSON in
 * production, pretty locally) that carry workflow/activity context, and Prometheus metrics when
 * `observability.metricsAddress` is set (scrape `http://<address>/metrics`).
 */
export function installRuntime(observability: FlywheelConfig['observability'], level?: LogLevel): void {
  const logLevel = level ?? observability.logLevel;
  Runtime.install({
    logger: new DefaultLogger(logLevel, observability.logFormat === 'json' ? jsonLine : undefined),
    telemetryOptions: {
      logging: { filter: { core: logLevel === 'TRACE' ? 'DEBUG' : 'WARN', other: 'WARN' }, forward: {} },
      ...(observability.metricsAddress ? { metrics: { prometheus: { bindAddress: observability.metricsAddress } } } : {}),
    },
  });
}
