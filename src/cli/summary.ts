import type { FlywheelConfig } from '../config/schema.js';
import { describeBucketSkew, worstBucketSkew } from '../domain/bucketSkew.js';
import { resolveLineageConfig } from '../lineage/config.js';
import { lineageFilePath } from '../lineage/openlineage/fileTransport.js';
import type { RunReport } from '../domain/report.js';

/** The human summary printed after a run (stderr when --json owns stdout). */
export function formatSummary(report: RunReport, uiUrl?: string): string {
  const ok = report.tables.filter((t) => t.state === 'succeeded');
  const rows = ok.reduce((sum, t) => sum + (t.rowsBucketed ?? 0), 0);
  const files = ok.reduce((sum, t) => sum + (t.bucketFiles ?? 0), 0);
  const lines = [
    '',
    `${report.status === 'succeeded' ? '✔' : '✘'} ${report.workflowId}: ${report.status} in ${(report.durationMs / 1000).toFixed(1)}s`,
    `  snapshot ${report.snapshotDt} · ${ok.length}/${report.tables.length} tables · ${rows.toLocaleString('en-US')} rows bucketed · ${files} bucket files`,
    `  stages: ${report.stages.map((s) => `${s.stage} ${((s.durationMs ?? 0) / 1000).toFixed(1)}s`).join(' · ')}`,
    `  lineage: ${report.lineage.status}${report.lineage.reason ? ` (${report.lineage.reason})` : ''}`,
  ];
  const worst = worstBucketSkew(report.tables);
  if (worst) {
    const over = report.tables.filter((t) => t.bucketSkew?.verdict === 'skewed').length;
    const verdict = over ? `; ${over} table(s) over validation.maxBucketSkew ${worst.bucketSkew.maxAllowed}` : `; none over validation.maxBucketSkew ${worst.bucketSkew.maxAllowed}`;
    lines.push(`  bucket skew: worst ${worst.name} ${describeBucketSkew(worst.bucketSkew)}${verdict}`);
  }
  if (report.cost) {
    const { totalUsd, glueDpuSeconds, athenaBytesScanned } = report.cost;
    lines.push(`  cost (list price): $${totalUsd.toFixed(2)} — Glue ${glueDpuSeconds} DPU-s, Athena ${(athenaBytesScanned / 1024 ** 3).toFixed(2)} GiB scanned`);
  }
  for (const t of report.tables.filter((x) => x.state === 'failed')) {
    lines.push(`  ✘ ${t.name} failed at ${t.stage}: ${t.lastError ?? 'unknown error'}`);
  }
  if (report.error && report.tables.length === 0) lines.push(`  error: ${report.error}`);
  const first = ok[0];
  if (first?.bucketedLocation) lines.push(`  bucketed data: e.g. ${first.bucketedLocation}`);
  if (uiUrl) lines.push(`  Web UI: ${uiUrl}`);
  return lines.join('\n');
}

/** Link to one workflow run in the Temporal Web UI. */
export function workflowUiUrl(uiBase: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** Where the demo's results are and how to look at them: the catalog, the lineage file, one query to paste. */
export function demoNextSteps(config: FlywheelConfig, home: string, catalogFile: string, report: RunReport): string {
  const lineage = resolveLineageConfig(config);
  const lines = ['', 'Where things are:', `  catalog (DuckDB): ${catalogFile} — schema ${config.catalog.database}`];
  if (lineage.sink === 'file') lines.push(`  lineage (OpenLineage JSON lines): ${lineageFilePath(home, lineage.file)}`);
  const table = report.tables.find((t) => t.state === 'succeeded' && t.bucketedTable)?.bucketedTable;
  if (table) {
    const column = config.bucketing.column;
    lines.push(
      '  query the result (read-only DuckDB over the catalog):',
      `    npx flywheel sql "SELECT ${column}, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY n DESC LIMIT 5"`,
    );
  }
  return lines.join('\n');
}
