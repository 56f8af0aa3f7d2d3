import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobKey } from '../../domain/jobRuns.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { ADDRESSABLE_TABLE_NAME, type SourceTable } from '../../domain/tables.js';
import { tableFor } from './paths.js';

export interface SplitJobPlan {
  snapshotDt: string;
  tables: { table: SourceTable; fileCount: number }[];
}

const MAX_FILES = 10_000;

function parseFileCounts(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new InvalidInputError(`--FILE_COUNTS is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError('--FILE_COUNTS must be a JSON object mapping table name to a number of files');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads Glue-style string arguments the way the Glue job script does, rejecting anything malformed
 * up front (a local run fails fast instead of half-processing a bad request).
 */
export function parseJobArguments(jobKey: JobKey, args: Record<string, string>, config: FlywheelConfig): SplitJobPlan {
  const dt = args['--SNAPSHOT_DT'];
  if (!dt) throw new InvalidInputError('job argument --SNAPSHOT_DT is required');
  const snapshotDt = assertSnapshotDt(dt, '--SNAPSHOT_DT');

  const filter = (args['--TABLES_FILTER'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const defaults = jobKey === 'addressableBucket' ? [ADDRESSABLE_TABLE_NAME] : config.tables.infobase;
  const names = [...new Set(filter.length > 0 ? filter : defaults)];
  if (names.length === 0) throw new InvalidInputError(`job ${jobKey}: no tables to process (--TABLES_FILTER is empty)`);

  const counts = parseFileCounts(args['--FILE_COUNTS']);
  const tables = names.map((name) => {
    const table = tableFor(name);
    if ((jobKey === 'addressableBucket') !== (table.kind === 'addressable')) {
      throw new InvalidInputError(`job ${jobKey} cannot process table ${name}`);
    }
    const raw = counts[name] ?? 1;
    const fileCount = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof fileCount !== 'number' || !Number.isInteger(fileCount) || fileCount < 1 || fileCount > MAX_FILES) {
      throw new InvalidInputError(`--FILE_COUNTS for ${name} must be an integer from 1 to ${MAX_FILES}, got ${JSON.stringify(raw)}`);
    }
    return { table, fileCount };
  });
  return { snapshotDt, tables };
}
