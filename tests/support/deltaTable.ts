/**
 * Reads a Delta table THROUGH ITS LOG with delta-rs (the tools venv's python), never by listing the folder:
 * rows (count and an order-independent checksum of every row), the version, and per-file stats from the
 * log's add actions. Used by the maintenance tests to compare what readers see before and after.
 */
import { locateDeltaPython, runProcess } from '../../src/backends/local/deltaPython.js';

export interface DeltaFile {
  path: string;
  bytes: number;
  partition: string | null;
  min: string | null;
  max: string | null;
}

export interface DeltaSnapshot {
  version: number;
  rows: number;
  checksum: string;
  files: DeltaFile[];
  /** Commits, newest first: version, operation, Flywheel's run tag. */
  history: { version: number; operation: string; runTag?: string }[];
}

const READER = `
import hashlib, json, sys
from deltalake import DeltaTable, QueryBuilder
uri, version, column = sys.argv[1], sys.argv[2], sys.argv[3]
dt = DeltaTable(uri, version=int(version)) if version else DeltaTable(uri)
table = QueryBuilder().register("t", dt).execute("SELECT * FROM t").read_all()
names = sorted(table.column_names)
columns = [table.column(n).to_pylist() for n in names]
digest = hashlib.sha256()
for row in sorted(json.dumps(list(r), default=str) for r in zip(*columns)):
    digest.update(row.encode())
adds = dt.get_add_actions(flatten=True)
def col(name):
    return adds.column(name).to_pylist() if name in adds.column_names else [None] * adds.num_rows
files = [dict(path=p, bytes=b, partition=pt, min=lo, max=hi) for p, b, pt, lo, hi in
         zip(col("path"), col("size_bytes"), col("partition.snapshot_dt"), col(f"min.{column}"), col(f"max.{column}"))]
history = [dict(version=c["version"], operation=c.get("operation"), runTag=c.get("flywheel.runTag")) for c in dt.history(50)]
print(json.dumps(dict(version=dt.version(), rows=table.num_rows, checksum=digest.hexdigest(), files=files, history=history)))
`;

export async function readDeltaTable(dir: string, options: { version?: number; statsColumn?: string } = {}): Promise<DeltaSnapshot> {
  const python = await locateDeltaPython();
  const run = await runProcess(python, ['-c', READER, dir, options.version === undefined ? '' : String(options.version), options.statsColumn ?? 'customer_user_id']);
  if (run.code !== 0) throw new Error(`reading ${dir} through its Delta log failed: ${run.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return JSON.parse(run.stdout) as DeltaSnapshot;
}

/** Share of file pairs within a partition whose [min, max] ranges of the stats column overlap (files without stats skipped). */
export function overlappingPairs(files: DeltaFile[], partition: string): number {
  const ranges = files.filter((f) => f.partition === partition && f.min !== null && f.max !== null);
  let pairs = 0;
  let overlapping = 0;
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      pairs++;
      if (ranges[i]!.min! <= ranges[j]!.max! && ranges[j]!.min! <= ranges[i]!.max!) overlapping++;
    }
  }
  return pairs === 0 ? 0 : overlapping / pairs;
}
