import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { FlywheelConfig } from '../config/schema.js';
import { jsonLine, prettyLine } from './logFormat.js';

/**
 * Installs the Temporal runtime once per process, before any connection: structured logs (JSON in
 * production, pretty locally) that carry workflow/activity context, and Prometheus metrics when
 * `observability.metricsAddress` is set (scrape `http://<address>/metrics`).
 */
export function installRuntime(observability: FlywheelConfig['observability'], level?: LogLevel): void {
  const logLevel = level ?? observability.logLevel;
  Runtime.install({
    logger: new DefaultLogger(logLevel, observability.logFormat === 'json' ? jsonLine : prettyLine),
    telemetryOptions: {
      logging: { filter: { core: logLevel === 'TRACE' ? 'DEBUG' : 'WARN', other: 'WARN' }, forward: {} },
      ...(observability.metricsAddress ? { metrics: { prometheus: { bindAddress: observability.metricsAddress } } } : {}),
    },
  });
}
