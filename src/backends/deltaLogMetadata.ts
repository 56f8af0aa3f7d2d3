/**
 * Reads what the maintenance pre-check needs from a Delta table's log — its version, columns and partition
 * columns — read-only, on both backends (local folder, S3). Only the newest checkpoint (classic single- or
 * multi-part, or V2 top-level file) and the JSON commits after it are read, as every Delta reader does; the
 * log is never written here (delta-rs writes it, in jobs/delta_maintenance.py).
 */
import { parquetReadObjects } from 'hyparquet';
import { InvalidInputError } from '../domain/errors.js';
import type { MaintenanceTarget } from '../ports/deltaMaintenance.js';
import { parseWhere } from '../domain/maintenanceWhere.js';

/** The files of one table's `_delta_log/` folder. */
export interface DeltaLogFiles {
  /** Where the table is, for messages. */
  readonly location: string;
  /** File names directly under `_delta_log/` (empty when there is no such folder). */
  list(): Promise<string[]>;
  read(name: string): Promise<Uint8Array>;
}

export interface DeltaTableMetadata {
  version: number;
  columns: string[];
  partitionColumns: string[];
}

const COMMIT = /^(\d{20})\.json$/;
const CHECKPOINT = /^(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10})|\.[0-9a-fA-F-]{36})?\.(parquet|json)$/;

interface MetaDataAction {
  schemaString?: string;
  partitionColumns?: string[];
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** The metaData action of a checkpoint part, if it holds one. */
async function checkpointMetaData(name: string, bytes: Uint8Array): Promise<MetaDataAction | undefined> {
  if (name.endsWith('.json')) return jsonMetaData(bytes);
  const rows = await parquetReadObjects({ file: arrayBufferOf(bytes), columns: ['metaData'] });
  return rows.map((row) => row.metaData as MetaDataAction | null).find((m) => m?.schemaString) ?? undefined;
}

/** The last metaData action in newline-delimited JSON actions. */
function jsonMetaData(bytes: Uint8Array): MetaDataAction | undefined {
  let found: MetaDataAction | undefined;
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    if (!line.includes('"metaData"')) continue;
    const action = JSON.parse(line) as { metaData?: MetaDataAction };
    if (action.metaData) found = action.metaData;
  }
  return found;
}

/** Throws InvalidInputError when the location has no Delta log (absent, or a plain Parquet folder). */
export async function readDeltaTableMetadata(log: DeltaLogFiles): Promise<DeltaTableMetadata> {
  const names = await log.list();
  const commits = names.flatMap((n) => (COMMIT.exec(n) ? [Number(COMMIT.exec(n)![1])] : [])).sort((a, b) => a - b);
  const checkpoints = names.flatMap((name) => {
    const m = CHECKPOINT.exec(name);
    return m ? [{ name, version: Number(m[1]), parts: m[3] ? Number(m[3]) : 1 }] : [];
  });
  if (commits.length === 0 && checkpoints.length === 0) {
    throw new InvalidInputError(`${log.location} is not a Delta table: no _delta_log commits (does it exist? is it plain Parquet?)`);
  }
  // Newest checkpoint whose parts are all present (a checkpoint being written may be incomplete).
  const byVersion = new Map<number, string[]>();
  for (const c of checkpoints) byVersion.set(c.version, [...(byVersion.get(c.version) ?? []), c.name]);
  const complete = checkpoints
    .filter((c) => (byVersion.get(c.version) ?? []).length >= c.parts)
    .sort((a, b) => b.version - a.version)[0];

  let metaData: MetaDataAction | undefined;
  let from = -1;
  if (complete) {
    from = complete.version;
    for (const name of byVersion.get(complete.version)!) metaData ??= await checkpointMetaData(name, await log.read(name));
  }
  for (const version of commits.filter((v) => v > from)) {
    metaData = jsonMetaData(await log.read(`${String(version).padStart(20, '0')}.json`)) ?? metaData;
  }
  if (!metaData?.schemaString) throw new InvalidInputError(`${log.location}: the Delta log has no table metadata (schema)`);
  const schema = JSON.parse(metaData.schemaString) as { fields?: { name: string }[] };
  return {
    version: Math.max(from, ...commits),
    columns: (schema.fields ?? []).map((f) => f.name),
    partitionColumns: metaData.partitionColumns ?? [],
  };
}

/**
 * What jobs/delta_maintenance.py requires of a table, checked before any job starts: Z-order columns are
 * data columns (not partition columns), WHERE compares partition columns only (as Delta's OPTIMIZE WHERE).
 */
export function checkTargetColumns(target: MaintenanceTarget, table: DeltaTableMetadata, location: string): void {
  const what = `maintenance table ${target.name} (${location}, Delta version ${table.version})`;
  for (const column of target.zorderBy) {
    if (!table.columns.includes(column)) {
      throw new InvalidInputError(`${what}: zorderBy column ${column} is not in the table (columns: ${table.columns.join(', ')})`);
    }
    if (table.partitionColumns.includes(column)) {
      throw new InvalidInputError(`${what}: zorderBy column ${column} is a partition column; Z-order clusters rows inside partitions`);
    }
  }
  for (const condition of target.where ? parseWhere(target.where) : []) {
    if (!table.partitionColumns.includes(condition.column)) {
      throw new InvalidInputError(
        `${what}: where column ${condition.column} is not a partition column (partition columns: ${table.partitionColumns.join(', ') || 'none'}); OPTIMIZE WHERE filters partitions`,
      );
    }
  }
}
