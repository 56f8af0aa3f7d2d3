import { outputFileCount } from '../domain/fileSizing.js';
import { InvalidInputError } from '../domain/errors.js';
import type { PlannedJob, PlannedTable, RefreshPlan } from '../domain/plan.js';
import { chooseSnapshot, type SnapshotObjects } from '../domain/snapshotSelection.js';
import { assertSnapshotDt } from '../domain/snapshotDate.js';
import { ADDRESSABLE_TABLE_NAME, filterTables, type SourceTable } from '../domain/tables.js';
import { heartbeatTimeoutSeconds, type FlywheelConfig } from '../config/schema.js';
import type { Backend } from '../ports/backend.js';
import type { LakeInventory } from '../ports/lakeInventory.js';

export interface DiscoverSnapshotInput {
  environment: string;
  snapshotDt?: string;
  tables?: string[];
}

/** The tables this environment expects, from the fixed list or from what the lake holds. */
export async function expectedTables(config: FlywheelConfig, inventory: LakeInventory): Promise<SourceTable[]> {
  const excluded = new Set(config.tables.exclude.map((t) => t.toLowerCase()));
  const names = config.tables.mode === 'discover' ? await inventory.listInfobaseTables() : config.tables.infobase;
  const tables: SourceTable[] = names
    .filter((name) => !excluded.has(name.toLowerCase()))
    .map((name) => ({ name, kind: 'infobase' as const }));
  if (config.tables.addressable) tables.push({ name: ADDRESSABLE_TABLE_NAME, kind: 'addressable' });
  return tables;
}

function jobsFor(config: FlywheelConfig, snapshotDt: string, tables: PlannedTable[]): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  const families = [
    { jobKey: 'infobaseSplitAndBucket', jobName: config.jobs.infobaseSplitAndBucket, kind: 'infobase' },
    { jobKey: 'addressableBucket', jobName: config.jobs.addressableBucket, kind: 'addressable' },
  ] as const;
  for (const family of families) {
    const members = tables.filter((t) => t.kind === family.kind);
    if (members.length === 0) continue;
    jobs.push({
      jobKey: family.jobKey,
      jobName: family.jobName,
      tables: members.map((t) => t.name),
      arguments: {
        ...config.jobs.arguments,
        '--SNAPSHOT_DT': snapshotDt,
        '--TABLES_FILTER': members.map((t) => t.name).join(','),
        '--FILE_COUNTS': JSON.stringify(Object.fromEntries(members.map((t) => [t.name, t.stagedFileCount]))),
      },
    });
  }
  return jobs;
}

/**
 * Stage 1: finds the snapshot to refresh and sizes the work. The override date and the table filter
 * are checked against what really exists, so a typo fails here, before any job starts.
 */
export async function discoverSnapshot(
  config: FlywheelConfig,
  backend: Pick<Backend, 'inventory' | 'describeLocation'>,
  input: DiscoverSnapshotInput,
): Promise<RefreshPlan> {
  const { inventory } = backend;
  if (input.environment !== config.environment) {
    throw new InvalidInputError(
      `this worker serves environment "${config.environment}", but the run asked for "${input.environment}"`,
    );
  }
  if (input.snapshotDt !== undefined) assertSnapshotDt(input.snapshotDt, 'snapshotDt');
  const expected = await expectedTables(config, inventory);
  const { selected, unknown } = filterTables(expected, input.tables);
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `unknown table(s) in filter: ${unknown.join(', ')} (known: ${expected.map((t) => t.name).join(', ')})`,
    );
  }
  const listings = new Map<string, SnapshotObjects[]>();
  for (const table of selected) listings.set(table.name, await inventory.listSnapshots(table));
  const choice = chooseSnapshot(selected, listings, input.snapshotDt);

  const tables: PlannedTable[] = selected.map((table) => ({
    ...table,
    sourceBytes: choice.bytesByTable[table.name] ?? 0,
    sourceFiles: choice.filesByTable[table.name] ?? 0,
    stagedFileCount: outputFileCount(choice.bytesByTable[table.name] ?? 0, config.fileSizing),
    sourceLocation: backend.describeLocation('source', table.name, choice.snapshotDt),
  }));
  return {
    environment: config.environment,
    snapshotDt: choice.snapshotDt,
    tables,
    jobs: jobsFor(config, choice.snapshotDt, tables),
    bucketColumn: config.bucketing.column,
    bucketCount: config.bucketing.count,
    tableConcurrency: config.tableConcurrency,
    reprocessWaitSeconds: Math.round(config.reprocess.waitHours * 3600),
    pricing: config.costs,
    heartbeatTimeoutSeconds: heartbeatTimeoutSeconds(config),
  };
}
