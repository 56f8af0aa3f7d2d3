import type { QualityConfig } from '../config/qualitySchema.js';
import { judgeTableQuality } from '../domain/qualityChecks.js';
import { tableQualityPolicy } from '../domain/qualityPolicy.js';
import { profiledColumns, type BaselineProfile, type ObservedProfile, type ProfileColumn, type ProfiledColumn } from '../domain/qualityProfile.js';
import type { TableQualityResult } from '../domain/qualityResult.js';
import type { CheckTableQualityRequest } from '../ports/tableQuality.js';
import type { OperationContext } from '../ports/context.js';

/** The partition key is the snapshot itself, never data: left out of schema contracts and drift. */
export const SNAPSHOT_PARTITION_COLUMN = 'snapshot_dt';

/** What a backend reads for the gate; the rules are the same everywhere (src/domain/qualityChecks.ts). */
export interface QualityProbe {
  /** The staged snapshot's columns. */
  columns(): Promise<ProfileColumn[]>;
  /** What the last successful run published before this snapshot, from the catalog. */
  baseline(): Promise<BaselineProfile | undefined>;
  /** One query: row count and the measured columns' NULL-or-empty (and distinct) counts. */
  profile(columns: ProfiledColumn[]): Promise<Pick<ObservedProfile, 'rows' | 'stats'> & { dataScannedBytes?: number }>;
}

export const dataColumns = (columns: readonly ProfileColumn[]) => columns.filter((c) => c.name.toLowerCase() !== SNAPSHOT_PARTITION_COLUMN);

export async function checkWithProbe(
  quality: QualityConfig,
  request: CheckTableQualityRequest,
  probe: QualityProbe,
  ctx: OperationContext,
): Promise<TableQualityResult> {
  const policy = tableQualityPolicy(quality, request.table.name);
  const base = { table: request.table.name, snapshotDt: request.snapshotDt, bucketColumn: request.bucketColumn, policy };
  if (!policy.enabled) return judgeTableQuality({ ...base, observed: { rows: 0, columns: [], stats: {} } });
  const columns = dataColumns(await probe.columns());
  ctx.heartbeat({ step: 'schema', columns: columns.length });
  const baseline = await probe.baseline();
  const { dataScannedBytes, ...counts } = await probe.profile(profiledColumns(policy, request.bucketColumn, columns));
  ctx.heartbeat({ step: 'profiled', rows: counts.rows });
  return judgeTableQuality({ ...base, observed: { ...counts, columns }, baseline, dataScannedBytes });
}
