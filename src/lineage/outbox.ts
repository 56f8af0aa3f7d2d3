import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LineagePart, LineageRun } from '../ports/lineage.js';

/**
 * The lineage ledger under `<home>/lineage/`: `outbox/` holds one file per workflow run whose lineage
 * is not delivered yet (pending or failed, with the reason and the steps already delivered);
 * `published/` keeps a small record of delivered runs so status and republishing stay idempotent.
 */
export type RecordStatus = 'pending' | 'failed' | 'published';

export interface LineageRecord {
  version: 1;
  workflowId: string;
  runId: string;
  snapshotDt: string;
  environment: string;
  sink: string;
  status: RecordStatus;
  reason?: string;
  attempts: number;
  /** Step keys already delivered (sink-specific). */
  done: string[];
  events?: number;
  firstAttemptAt: string;
  lastAttemptAt: string;
  /** The run itself (or its part: `run.part`), needed to publish it later. Contains no secrets by construction (see the port). */
  run: LineageRun;
  /** Which part of the run this record holds (absent: the whole run). */
  part?: { index: number; count: number };
}

export function outboxDir(home: string): string {
  return path.join(home, 'lineage', 'outbox');
}

export function publishedDir(home: string): string {
  return path.join(home, 'lineage', 'published');
}

/**
 * Stable, file-system-safe key: readable prefix plus a hash so distinct ids never collide. Each part of a
 * run published in parts has its own record (`…__part-0003-of-0020`); a whole run's key is unchanged.
 */
export function recordKey(workflowId: string, runId: string, part?: Pick<LineagePart, 'index' | 'count'>): string {
  const partName = part ? `__part-${String(part.index + 1).padStart(4, '0')}-of-${String(part.count).padStart(4, '0')}` : '';
  const readable = `${workflowId}__${runId}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 120);
  const ids = part ? [workflowId, runId, part.index, part.count] : [workflowId, runId];
  const hash = createHash('sha256').update(JSON.stringify(ids)).digest('hex').slice(0, 12);
  return `${readable}${partName}.${hash}`;
}

async function writeAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', 'utf8');
  await rename(tmp, file);
}

async function readJson(file: string): Promise<LineageRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LineageRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function readRecord(home: string, workflowId: string, runId: string, part?: LineagePart): Promise<LineageRecord | undefined> {
  const key = `${recordKey(workflowId, runId, part)}.json`;
  return (await readJson(path.join(outboxDir(home), key))) ?? (await readJson(path.join(publishedDir(home), key)));
}

/** Writes the record to the folder its status belongs in and removes it from the other one. */
export async function saveRecord(home: string, record: LineageRecord): Promise<void> {
  const name = `${recordKey(record.workflowId, record.runId, record.run.part)}.json`;
  const published = record.status === 'published';
  const target = path.join(published ? publishedDir(home) : outboxDir(home), name);
  const other = path.join(published ? outboxDir(home) : publishedDir(home), name);
  await writeAtomic(target, record);
  await rm(other, { force: true });
}

async function readAll(dir: string): Promise<LineageRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: LineageRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const record = await readJson(path.join(dir, name));
    if (record) records.push(record);
  }
  return records;
}

export async function readOutbox(home: string): Promise<LineageRecord[]> {
  return readAll(outboxDir(home));
}

export async function readPublished(home: string): Promise<LineageRecord[]> {
  return readAll(publishedDir(home));
}
