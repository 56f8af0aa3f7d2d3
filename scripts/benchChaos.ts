/**
 * `npm run bench:chaos` — N refreshes on the local backend, each with the worker SIGKILLed at a random
 * moment and a new worker started at once; nobody else touches the run. Prints, for the issue's
 * "never needs an operator" promise:
 *   runs completed unattended / N, duplicate job runs, leftover files, data errors (row counts and
 *   bucket layout read back independently), and recovery latency (median, max): from the new worker
 *   polling until every activity the kill interrupted runs again on it (and from the kill).
 * Exits 1 when a run did not complete, or there were duplicates, leftovers or data errors.
 *
 *   npm run bench:chaos -- [--runs 20] [--rows 2000] [--port 7233] [--seed 1] [--kill-jobs] [--keep]
 * --kill-jobs also SIGKILLs the running job processes (their runs must be taken over); --keep leaves
 * FLYWHEEL_HOME and prints where.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { seedLake } from '../src/backends/local/index.js';
import { JobRecordStore } from '../src/backends/local/jobRecords.js';
import { parseConfig } from '../src/config/load.js';
import type { FlywheelConfig } from '../src/config/schema.js';
import type { RunReport } from '../src/domain/report.js';
import { startDevServer } from '../src/temporal/devServer.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../src/workflows/searchAttributes.js';
import { processRuns } from './lib/holdPoints.js';
import { auditTables, jobRunsOf, leftovers } from './lib/lakeAudit.js';
import { startWorkerProcess, type WorkerProcess } from './lib/workerProcess.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    rows: { type: 'string', default: '2000' },
    port: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'kill-jobs': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const TABLES = ['IBE_01', 'MIACS_01', 'CLC_01'];
const TARGET_RECOVERY_SECONDS = 30;
const RUN_TIMEOUT_MS = 5 * 60_000;

/** mulberry32: a small seeded generator, so a run of the bench can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(Number(args.seed));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const middle = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return s.length === 0 ? NaN : Number(middle.toFixed(1));
};
const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : 0;

const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

interface Interrupted {
  /** The refresh or one of its `refreshBatch` children (where the table stages run since batching). */
  workflowId: string;
  activityId: string;
  attempt: number;
}

type PendingActivity = NonNullable<Awaited<ReturnType<WorkflowHandle['describe']>>['raw']['pendingActivities']>[number];

/** The refresh's state and the pending activities of it and of its running batch children. */
async function pendingActivities(handle: WorkflowHandle): Promise<{ running: boolean; workflowIds: string[]; activities: { workflowId: string; activity: PendingActivity }[] }> {
  const description = await handle.describe();
  const children = (description.raw.pendingChildren ?? []).map((c) => c.workflowId!).filter(Boolean);
  const own = (description.raw.pendingActivities ?? []).map((activity) => ({ workflowId: handle.workflowId, activity }));
  const nested = await Promise.all(
    children.map(async (id) => {
      const child = await client.workflow.getHandle(id).describe().catch(() => undefined);
      return (child?.raw.pendingActivities ?? []).map((activity) => ({ workflowId: id, activity }));
    }),
  );
  return { running: description.status.name === 'RUNNING', workflowIds: [handle.workflowId, ...children], activities: [...own, ...nested.flat()] };
}

/** Activities running (started) at the moment of the kill: the stage that was interrupted. */
function runningActivities(pending: Awaited<ReturnType<typeof pendingActivities>>): Interrupted[] {
  return pending.activities
    .filter(({ activity }) => activity.state === STARTED)
    .map(({ workflowId, activity }) => ({ workflowId, activityId: activity.activityId!, attempt: activity.attempt ?? 1 }));
}

/**
 * When the interrupted stage is running again: every activity that was running at the kill has a new
 * attempt started (or has finished), or — a kill between activities — the new worker completed a task
 * of the refresh or of one of its batches.
 */
async function waitForResumption(handle: WorkflowHandle, interrupted: Interrupted[], since: number): Promise<number> {
  for (;;) {
    const now = await pendingActivities(handle);
    if (!now.running) return Date.now();
    const pending = new Map(now.activities.map(({ workflowId, activity }) => [`${workflowId}/${activity.activityId}`, activity]));
    if (interrupted.length > 0) {
      const resumed = interrupted.map(({ workflowId, activityId, attempt }) => {
        const activity = pending.get(`${workflowId}/${activityId}`);
        if (!activity) return Date.now(); // finished
        const started = activity.state === STARTED;
        return started && (activity.attempt ?? 1) > attempt ? millis(activity.lastStartedTime) : undefined;
      });
      if (resumed.every((t) => t !== undefined)) return Math.max(...resumed);
    } else {
      for (const id of now.workflowIds) {
        const { events } = await client.workflow.getHandle(id).fetchHistory();
        const done = (events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes && millis(e.eventTime) >= since);
        if (done.length > 0) return millis(done[0]!.eventTime);
      }
    }
    await delay(200);
  }
}

/**
 * Live job processes of this home, from the runs' records and claims: a job process writes its pid into
 * the record only once it runs, the worker writes it into the attempt's claim as soon as it spawned it.
 */
async function liveJobProcesses(config: FlywheelConfig, home: string): Promise<number[]> {
  const store = new JobRecordStore(home);
  const records = (await Promise.all([config.jobs.infobaseSplitAndBucket, config.jobs.addressableBucket].map((j) => store.list(j)))).flat();
  const pids = new Set<number>();
  for (const r of records.filter((r) => !r.completedAt)) {
    const claim = await store.latestClaim(r.jobName, r.runId, r.attempt ?? 1);
    for (const pid of [r.pid, claim?.pid]) if (pid && processRuns(pid)) pids.add(pid);
  }
  return [...pids];
}

interface RunResult {
  run: number;
  completed: boolean;
  killAtSeconds: number;
  killedDuring: string;
  jobProcessesKilled: number;
  recoveryFromWorkerSeconds?: number;
  recoveryFromKillSeconds?: number;
  duplicateJobRuns: number;
  replacedJobProcesses: number;
  leftovers: string[];
  dataErrors: string[];
  error?: string;
}

const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-chaos-'));
const server = await startDevServer({
  headless: true,
  port: args.port ? Number(args.port) : undefined,
  dbFile: path.join(home, 'temporal', 'dev-server.sqlite'),
  searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
});
const config = parseConfig(
  {
    environment: 'chaos',
    backend: 'local',
    temporal: { address: server.address, taskQueue: 'flywheel-chaos' },
    tables: { mode: 'list', infobase: TABLES, addressable: true },
    catalog: { database: 'flywheel_chaos' },
    tableConcurrency: 2,
    jobs: { pollMinSeconds: 0.1, pollMaxSeconds: 1 },
    reprocess: { waitHours: 0 }, // a failed table fails the run: "completed" means nobody had to step in
    lineage: { sink: 'file' },
    local: { threads: 2, memoryLimit: '512MB' },
  },
  'chaos bench config',
  {},
);
await seedLake({ config, home, rows: Number(args.rows), snapshots: ['2026-10-01'] });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const startWorker = () => startWorkerProcess({ home, config, readyTimeoutMs: 120_000 });
const startRun = (id: string) =>
  client.workflow.start('monthlyRefresh', { taskQueue: 'flywheel-chaos', workflowId: id, args: [{ environment: 'chaos' }] });

let worker: WorkerProcess = await startWorker();
// Ctrl-C: the dev server stops by itself (devServer.ts); the worker is ours to stop.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void worker.kill('SIGKILL').then(() => process.exit(130)));
const results: RunResult[] = [];
try {
  // An undisturbed run first: how long one takes, so kills land anywhere inside a run.
  const warmStarted = Date.now();
  await (await startRun('chaos-warmup')).result();
  const undisturbedMs = Date.now() - warmStarted;
  process.stderr.write(`undisturbed run: ${seconds(undisturbedMs)} s; ${RUNS} runs, seed ${args.seed}\n`);

  for (let run = 1; run <= RUNS; run++) {
    const handle = await startRun(`chaos-${run}`);
    const startedAt = Date.now();
    const killAfter = Math.round((0.03 + 0.9 * rand()) * undisturbedMs);
    await delay(killAfter);
    const atKill = await pendingActivities(handle);
    const killedDuring = !atKill.running
      ? 'after the run had finished'
      : [...new Set(atKill.activities.map(({ activity }) => activity.activityType?.name ?? '?'))].join('+') || 'between activities';
    const interrupted = atKill.running ? runningActivities(atKill) : [];
    const jobPids = args['kill-jobs'] ? await liveJobProcesses(config, home) : [];
    const killedAt = Date.now();
    await worker.kill('SIGKILL');
    for (const pid of jobPids) process.kill(pid, 'SIGKILL');
    worker = await startWorker();
    const pollingAt = Date.now();
    const result: RunResult = {
      run,
      completed: false,
      killAtSeconds: seconds(killedAt - startedAt),
      killedDuring,
      jobProcessesKilled: jobPids.length,
      duplicateJobRuns: 0,
      replacedJobProcesses: 0,
      leftovers: [],
      dataErrors: [],
    };
    try {
      if (atKill.running) {
        const progress = await waitForResumption(handle, interrupted, pollingAt);
        result.recoveryFromWorkerSeconds = seconds(Math.max(0, progress - pollingAt));
        result.recoveryFromKillSeconds = seconds(progress - killedAt);
      }
      const report = (await Promise.race([
        handle.result(),
        delay(RUN_TIMEOUT_MS).then(() => Promise.reject(new Error(`not finished after ${RUN_TIMEOUT_MS / 1000} s`))),
      ])) as RunReport;
      result.completed = report.status === 'succeeded';
      const runs = await jobRunsOf(config, home, handle.workflowId, report.runId);
      const perJob = new Map<string, number>();
      for (const r of runs) perJob.set(r.jobName, (perJob.get(r.jobName) ?? 0) + 1);
      result.duplicateJobRuns = [...perJob.values()].reduce((sum, n) => sum + n - 1, 0);
      result.replacedJobProcesses = runs.reduce((sum, r) => sum + (r.attempt ?? 1) - 1, 0);
      for (const audit of await auditTables(config, home, report.snapshotDt, [...TABLES, 'addressable_ids'])) {
        if (audit.bucketedRows !== audit.sourceRows || audit.stagedRows !== audit.sourceRows) {
          result.dataErrors.push(`${audit.table}: source ${audit.sourceRows}, staged ${audit.stagedRows}, bucketed ${audit.bucketedRows}`);
        }
        if (audit.bucketFiles !== config.bucketing.count) result.dataErrors.push(`${audit.table}: ${audit.bucketFiles} bucket files`);
        if (audit.customersInSeveralBuckets > 0) result.dataErrors.push(`${audit.table}: ${audit.customersInSeveralBuckets} customers in several buckets`);
      }
    } catch (error) {
      result.error = (error as Error).message;
    }
    result.leftovers = await leftovers(home);
    results.push(result);
    process.stderr.write(
      `run ${String(run).padStart(2)}: killed at ${result.killAtSeconds}s during ${killedDuring}` +
        `${jobPids.length ? ` (+${jobPids.length} job process(es))` : ''}: ${result.completed ? 'completed' : `NOT completed ${result.error ?? ''}`}` +
        `${result.recoveryFromWorkerSeconds !== undefined ? `, resumed ${result.recoveryFromWorkerSeconds}s after the new worker polled (${result.recoveryFromKillSeconds}s after the kill)` : ''}` +
        `${result.duplicateJobRuns ? `, ${result.duplicateJobRuns} DUPLICATE job run(s)` : ''}${result.leftovers.length ? `, leftovers: ${result.leftovers.join(' ')}` : ''}` +
        `${result.dataErrors.length ? `, DATA: ${result.dataErrors.join('; ')}` : ''}\n`,
    );
  }
} finally {
  await worker.kill('SIGTERM');
  await connection.close();
  await server.stop();
  if (args.keep) process.stderr.write(`FLYWHEEL_HOME kept: ${home}\n`);
  else await rm(home, { recursive: true, force: true });
}

const recoveries = results.flatMap((r) => (r.recoveryFromWorkerSeconds === undefined ? [] : [r.recoveryFromWorkerSeconds]));
const fromKill = results.flatMap((r) => (r.recoveryFromKillSeconds === undefined ? [] : [r.recoveryFromKillSeconds]));
const summary = {
  runs: RUNS,
  seed: Number(args.seed),
  completedUnattended: results.filter((r) => r.completed).length,
  duplicateJobRuns: results.reduce((sum, r) => sum + r.duplicateJobRuns, 0),
  leftoverFiles: new Set(results.flatMap((r) => r.leftovers)).size,
  dataErrors: results.reduce((sum, r) => sum + r.dataErrors.length, 0),
  replacedJobProcesses: results.reduce((sum, r) => sum + r.replacedJobProcesses, 0),
  killsMidRun: recoveries.length,
  recoverySeconds: { median: median(recoveries), max: Math.max(...recoveries) },
  recoveryFromKillSeconds: { median: median(fromKill), max: Math.max(...fromKill) },
};
const checks = [
  { target: `runs completed unattended = ${RUNS}`, ok: summary.completedUnattended === RUNS, value: `${summary.completedUnattended}/${RUNS}` },
  { target: 'duplicate job runs = 0', ok: summary.duplicateJobRuns === 0, value: summary.duplicateJobRuns },
  { target: 'leftover files = 0', ok: summary.leftoverFiles === 0, value: summary.leftoverFiles },
  { target: 'data errors = 0', ok: summary.dataErrors === 0, value: summary.dataErrors },
  {
    target: `recovery ≤ ${TARGET_RECOVERY_SECONDS}s after the new worker polls (max)`,
    ok: !(summary.recoverySeconds.max > TARGET_RECOVERY_SECONDS),
    value: `${summary.recoverySeconds.max}s`,
  },
];
console.log(`\nFlywheel chaos bench: ${RUNS} runs, one worker SIGKILL each${args['kill-jobs'] ? ' (+ job processes)' : ''}, seed ${summary.seed}`);
console.log(`  completed unattended: ${summary.completedUnattended}/${RUNS}`);
console.log(`  duplicate job runs: ${summary.duplicateJobRuns}; leftover files: ${summary.leftoverFiles}; data errors: ${summary.dataErrors}; job processes replaced: ${summary.replacedJobProcesses}`);
console.log(
  `  recovery (${summary.killsMidRun} kills mid-run): after the new worker polls median ${summary.recoverySeconds.median}s, max ${summary.recoverySeconds.max}s; ` +
    `after the kill median ${summary.recoveryFromKillSeconds.median}s, max ${summary.recoveryFromKillSeconds.max}s`,
);
for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.target}: ${c.value}`);
console.log(JSON.stringify(summary));
process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
