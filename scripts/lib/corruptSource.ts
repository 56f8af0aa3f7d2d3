import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FlywheelConfig } from '../../src/config/schema.js';

export interface CorruptedFile {
  file: string;
  /** Puts the original bytes back ("the file is fixed"). */
  restore(): Promise<void>;
}

/**
 * Overwrites the first Parquet file of a source partition with bytes that are not Parquet: the
 * real-world "unreadable source file" that must fail that table, and only that table.
 */
export async function corruptSourceFile(config: FlywheelConfig, home: string, table: string, snapshotDt: string): Promise<CorruptedFile> {
  const dir = path.join(home, config.local.lakeRoot, config.layout.sourceBucket, config.layout.infobasePrefix, table, `snapshot_dt=${snapshotDt}`);
  const name = (await readdir(dir)).filter((f) => f.endsWith('.parquet')).sort()[0];
  if (!name) throw new Error(`no Parquet file in ${dir}`);
  const file = path.join(dir, name);
  const original = await readFile(file);
  await writeFile(file, 'this is not parquet');
  return { file, restore: () => writeFile(file, original) };
}
