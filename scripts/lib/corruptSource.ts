import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FlywheelConfig } from '../../src/config/schema.js';

/**
 * Overwrites the first Parquet file of a source partition with bytes that are not Parquet: the
 * real-world "unreadable source file" that must fail that table, and only that table.
 * Returns the file it broke.
 */
export async function corruptSourceFile(config: FlywheelConfig, home: string, table: string, snapshotDt: string): Promise<string> {
  const dir = path.join(home, config.local.lakeRoot, config.layout.sourceBucket, config.layout.infobasePrefix, table, `snapshot_dt=${snapshotDt}`);
  const file = (await readdir(dir)).filter((f) => f.endsWith('.parquet')).sort()[0];
  if (!file) throw new Error(`no Parquet file in ${dir}`);
  const target = path.join(dir, file);
  await writeFile(target, 'this is not parquet');
  return target;
}
