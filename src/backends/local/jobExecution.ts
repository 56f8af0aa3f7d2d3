import os from 'node:os';
import path from 'node:path';
import { DuckEngine } from './duck.js';
import { removeQuietly } from './files.js';
import { parseJobArguments } from './jobArgs.js';
import { ended, isTerminal, type JobRecordStore, type JobRunRecord } from './jobRecords.js';
import { LakePaths } from './paths.js';
import { splitTable } from './splitTable.js';

const HEARTBEAT_MS = 2_000;

/** The run's end state from its tables: STOPPED if aborted, FAILED if any table failed, else SUCCEEDED. */
export function finalState(record: JobRunRecord, aborted: boolean): Partial<JobRunRecord> {
  if (aborted) {
    const tables = record.tables.map((t) => (t.state === 'PENDING' || t.state === 'RUNNING' ? { ...t, state: 'STOPPED' as const } : t));
    return { state: 'STOPPED', errorMessage: 'stopped on request', tables };
  }
  const failed = record.tables.filter((t) => t.state === 'FAILED');
  if (failed.length === 0) return { state: 'SUCCEEDED' };
  const reasons = failed.map((t) => t.error).join('; ');
  return { state: 'FAILED', errorMessage: `${failed.length} of ${record.tables.length} table(s) failed: ${reasons}` };
}

/**
 * One attempt of a local job run, inside its own job process (see jobProcess.ts). Runs the tables
 * the run has not finished: a replacement attempt skips what an earlier one completed, and redoes a
 * table it was in the middle of (output is built aside and swapped in whole, so nothing half-done is
 * ever visible). While it runs it is the only writer of the record, which it refreshes every few
 * seconds; it stops on SIGTERM or when a stop request appears.
 */
export async function executeJobAttempt(store: JobRecordStore, jobName: string, runId: string, attempt: number): Promise<void> {
  const loaded = await store.load(jobName, runId);
  if (!loaded || isTerminal(loaded.state)) return;
  const latest = await store.latestClaim(jobName, runId, attempt);
  if (latest && latest.attempt !== attempt) return; // a newer attempt took over
  const record: JobRunRecord = { ...loaded, state: 'RUNNING', attempt, host: os.hostname(), pid: process.pid };
  const log = (line: string) => store.log(jobName, runId, `attempt ${attempt}: ${line}`);

  let saving = Promise.resolve();
  const save = () => {
    const snapshot = structuredClone({ ...record, heartbeatAt: new Date().toISOString() });
    saving = saving.then(() => store.save(snapshot)).catch(() => {});
    return saving;
  };
  const controller = new AbortController();
  const stop = () => controller.abort(new Error(`job run ${runId} stopped on request`));
  process.on('SIGTERM', stop);
  const heartbeat = setInterval(() => {
    void save();
    void store.stopRequested(jobName, runId).then((asked) => asked && stop());
  }, HEARTBEAT_MS);

  const config = await store.loadConfig(jobName, runId);
  const engine = new DuckEngine({
    database: ':memory:', // the split reads and writes Parquet only: no catalog, no lock on it
    threads: config.local.threads,
    memoryLimit: config.local.memoryLimit,
    tempDirectory: path.join(store.home, 'tmp', 'jobs', runId),
  });
  let outcome: Partial<JobRunRecord>;
  try {
    const done = record.tables.filter((t) => t.state === 'SUCCEEDED' || t.state === 'FAILED').length;
    await log(`running in process ${process.pid}${attempt > 1 ? ` (replaces a job process that died; ${done} of ${record.tables.length} table(s) already done)` : ''}`);
    await save();
    if (await store.stopRequested(jobName, runId)) stop();
    const plan = parseJobArguments(record.jobKey, record.arguments, config);
    const paths = new LakePaths(config, store.home);
    for (const [index, { table, fileCount }] of plan.tables.entries()) {
      const result = record.tables[index]!;
      if (controller.signal.aborted) break;
      if (result.state === 'SUCCEEDED' || result.state === 'FAILED') continue;
      const began = Date.now();
      Object.assign(result, { state: 'RUNNING', error: undefined });
      await save();
      await log(`table ${table.name}: splitting into ${fileCount} file(s)`);
      try {
        const split = await splitTable(engine, paths, { table, snapshotDt: plan.snapshotDt, fileCount, keyColumn: config.bucketing.column }, controller.signal);
        Object.assign(result, split, { state: 'SUCCEEDED' });
        await log(`table ${table.name}: ${split.stagedRows} rows into ${split.stagedFiles} file(s)`);
      } catch (error) {
        result.state = controller.signal.aborted ? 'STOPPED' : 'FAILED';
        result.error = (error as Error).message ?? String(error);
        await log(`table ${table.name}: ${result.state}: ${result.error}`);
      }
      result.durationMs = Date.now() - began;
      await save();
    }
    outcome = finalState(record, controller.signal.aborted);
  } catch (error) {
    outcome = { state: 'FAILED', errorMessage: `local job crashed: ${(error as Error).message}` };
  } finally {
    clearInterval(heartbeat);
    process.off('SIGTERM', stop);
    await engine.close();
    await removeQuietly(path.join(store.home, 'tmp', 'jobs', runId));
  }
  await saving;
  const final = ended(record, outcome);
  await store.finish(final);
  await store.log(jobName, runId, `${final.state}${final.errorMessage ? `: ${final.errorMessage}` : ''}`);
}
