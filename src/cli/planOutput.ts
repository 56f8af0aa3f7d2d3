import type { FlywheelConfig } from '../config/schema.js';
import type { RefreshPlan } from '../domain/plan.js';
import { describeQualityChecks, tableQualityPolicy } from '../domain/qualityPolicy.js';
import { bucketedTableName, stagedTableName } from '../domain/tables.js';
import { refreshWorkflowId } from '../domain/workflowIds.js';

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** `--dry-run`: what a refresh would do — tables, jobs and their arguments, tables created, files. */
export function formatPlan(plan: RefreshPlan, config: FlywheelConfig): string {
  const db = config.catalog.database;
  const lines = [
    `plan for ${refreshWorkflowId(plan.environment, plan.snapshotDt)} (backend ${config.backend}, nothing started)`,
    `  snapshot ${plan.snapshotDt} · ${plan.tables.length} tables · ${plan.tableConcurrency} at a time`,
    '',
    '  jobs:',
  ];
  for (const job of plan.jobs) {
    lines.push(`    ${job.jobName} (${job.tables.length} tables)`);
    for (const [key, value] of Object.entries(job.arguments)) lines.push(`      ${key} ${value.length > 120 ? `${value.slice(0, 117)}...` : value}`);
  }
  lines.push('', '  tables: source size → staged files → staged table → bucketed table');
  for (const t of plan.tables) {
    lines.push(
      `    ${t.name.padEnd(16)} ${mb(t.sourceBytes).padStart(10)} → ${String(t.stagedFileCount).padStart(3)} files → ` +
        `${db}.${stagedTableName(t)} → ${db}.${bucketedTableName(t)} (${plan.bucketCount} buckets on ${plan.bucketColumn})`,
    );
  }
  lines.push('', ...qualityPlan(plan, config));
  return lines.join('\n');
}

/**
 * What the quality gate will check before each CTAS: the section-wide checks once, then each table whose
 * overrides differ (README "Quality gate").
 */
export function qualityPlan(plan: RefreshPlan, config: FlywheelConfig): string[] {
  const defaults = describeQualityChecks(tableQualityPolicy({ ...config.quality, tables: {} }, ''), plan.bucketColumn);
  const lines = ['  quality gate (staged table vs the last published snapshot, before the CTAS):', ...defaults.map((l) => `    ${l}`)];
  for (const t of plan.tables) {
    const own = describeQualityChecks(tableQualityPolicy(config.quality, t.name), plan.bucketColumn);
    if (own.join('\n') === defaults.join('\n')) continue;
    lines.push(`    ${t.name}:`, ...own.map((l) => `      ${l}`));
  }
  return lines;
}
