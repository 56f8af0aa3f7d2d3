import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_MAINTENANCE_JOB } from '../../src/backends/local/deltaMaintenance.js';

export interface LocalJobRecord {
  runId: string;
  runTag: string;
  pid: number;
  state: string;
  errorMessage?: string;
}

/** The local maintenance job's run records under `<home>/jobs/<job>/` (what ProcessJobRunner persists). */
export async function maintenanceJobRecords(home: string, jobName = LOCAL_MAINTENANCE_JOB): Promise<LocalJobRecord[]> {
  const dir = path.join(home, 'jobs', jobName);
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as LocalJobRecord));
}

/** Whether a process is alive (signal 0). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
