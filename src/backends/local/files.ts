import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../../tools/processes.js';

export interface DataFile {
  path: string;
  bytes: number;
}

/** True for "file or directory does not exist" errors. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * Data files of one partition directory: non-empty `*.parquet` files, sorted by name. Markers
 * (`_SUCCESS`, `.crc`, zero-byte placeholders) are skipped, as the S3 listing does.
 */
export async function listDataFiles(dir: string): Promise<DataFile[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const files: DataFile[] = [];
  for (const entry of entries) {
    // Hidden like Athena hides them: names starting with `_` or `.` (temp files, markers).
    if (!entry.isFile() || !entry.name.endsWith('.parquet') || /^[._]/.test(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const { size } = await fs.stat(full);
    if (size > 0) files.push({ path: full, bytes: size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Sub-directories of `dir` (empty list if it does not exist). */
export async function listDirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Whether a directory holds at least one file somewhere below it (S3 has no empty "folders"). */
export async function containsAnyFile(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile()) return true;
    if (entry.isDirectory() && (await containsAnyFile(path.join(dir, entry.name)))) return true;
  }
  return false;
}

/**
 * Where `target` is built before it is swapped in: a sibling named after the target and the purpose
 * only (`_tmp-ctas-snapshot_dt=2026-10-01`), never random, so whatever a crashed attempt left there is
 * found and removed by the next attempt. Returns the path, emptied.
 */
export async function freshBuildLocation(target: string, label: string): Promise<string> {
  const location = buildLocation(target, label);
  await fs.rm(location, { recursive: true, force: true });
  return location;
}

export function buildLocation(target: string, label: string): string {
  return path.join(path.dirname(target), `_tmp-${label}-${path.basename(target)}`);
}

/** The label {@link swapDirectory} moves the previous content aside under (`_tmp-old-<target>`). */
export const ASIDE_LABEL = 'old';

/**
 * Removes what crashed attempts may have left beside `target`: its build folders (`labels`) and the
 * previous content a swap moved aside. For an attempt that does not build (it reuses the finished
 * build of an earlier attempt that died after its swap), since only a build sweeps by itself.
 */
export async function sweepBuildLeftovers(target: string, ...labels: string[]): Promise<void> {
  for (const label of [...labels, ASIDE_LABEL]) await fs.rm(buildLocation(target, label), { recursive: true, force: true });
}

export async function removeQuietly(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true }).catch(() => {});
}

/**
 * Replaces `target` by the fully built directory `built`. The old content is moved aside first and
 * deleted afterwards, so a reader sees either the old or the new complete set of files.
 */
export async function swapDirectory(built: string, target: string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const aside = await freshBuildLocation(target, ASIDE_LABEL);
  let movedAside = false;
  try {
    await fs.rename(target, aside);
    movedAside = true;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  await fs.rename(built, target);
  if (movedAside) await removeQuietly(aside);
}

/** Writes JSON through a temp file + rename, so a crash never leaves half a record. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** `<file>.<writer pid>.<nonce>.tmp` (the nonce was a timestamp in older temp names). */
const TEMP_NAME = /^\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Writes `text` to `file` through a temp file + rename, so a crash never leaves half a file. The temp
 * name carries the writer's pid, and temps beside `file` whose writer no longer runs (a killed worker's)
 * are removed first: the next write of the same document sweeps them (a retried activity rewrites it).
 */
export async function writeFileAtomic(file: string, text: string | AsyncIterable<string>): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  await fs.mkdir(dir, { recursive: true });
  for (const name of await fs.readdir(dir)) {
    const writer = name.startsWith(`${base}.`) ? TEMP_NAME.exec(name.slice(base.length))?.[1] : undefined;
    if (writer && !processAlive(Number(writer))) await fs.rm(path.join(dir, name), { force: true });
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}
