import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../config/home.js';
import { processAlive } from '../../tools/processes.js';
import type { JobProcessClaim, JobRecordStore, JobRunRecord } from './jobRecords.js';

/** The job process's entry (the same extension as this file: `.ts` under tsx, `.js` once compiled). */
const ENTRY = fileURLToPath(new URL(`./jobProcessMain${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** V8's young-generation cap (MB per semi-space) for job processes. */
export const JOB_SEMI_SPACE = '--max-semi-space-size=2';

/** A claim without a pid yet (spawn under way) is given this long before it counts as dead. */
export const SPAWN_GRACE_MS = 15_000;
/** A job process that has not refreshed its record for this long is dead (other hosts) or hung (this host). */
export const STALE_AFTER_MS = 60_000;

/**
 * Starts attempt `attempt` of a run in its own detached process (own session, stdio to the run's
 * log, not waited for), so the run outlives the worker that started it, as a Glue run does. Exactly
 * one caller wins each attempt (an exclusive claim file); the others get false and spawn nothing.
 */
export async function launchJobProcess(store: JobRecordStore, record: JobRunRecord, attempt: number): Promise<boolean> {
  const claim: JobProcessClaim = { attempt, host: os.hostname(), claimedAt: new Date().toISOString() };
  if (!(await store.claim(record.jobName, record.runId, claim))) return false;
  const log = await fs.open(store.logPath(record.jobName, record.runId), 'a');
  try {
    const loader = ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [];
    // Memory as in the worker (bin/flywheel.js): a capped young generation and two malloc arenas, so a job
    // process stays at DuckDB's memory limit plus Node's baseline however many tables it splits.
    const child = spawn(process.execPath, [JOB_SEMI_SPACE, ...loader, ENTRY, store.home, record.jobName, record.runId, String(attempt)], {
      cwd: PROJECT_ROOT, // where `--import tsx` resolves
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
    });
    child.on('error', (error) => void store.log(record.jobName, record.runId, `attempt ${attempt}: could not start the job process: ${error.message}`));
    child.unref();
    if (child.pid) await store.updateClaim(record.jobName, record.runId, { ...claim, pid: child.pid });
  } finally {
    await log.close();
  }
  return true;
}

/** Whether `pid` is this run's job process: it exists and (where /proc tells) its command line names the run. */
async function runsJob(pid: number, runId: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.split('\0').includes(runId); // a reused pid runs something else
}

export interface JobProcessOwner {
  alive: boolean;
  /** The latest attempt's claim (for a record written before claims existed: its own host and pid). */
  claim: JobProcessClaim;
}

/**
 * Whether a non-terminal run still has a live job process. Same host: the claimed pid tells (a hung
 * process that stopped refreshing its record is killed, then counts as dead). Other hosts: staleness.
 */
export async function jobProcessOwner(store: JobRecordStore, record: JobRunRecord, now = Date.now()): Promise<JobProcessOwner> {
  const attempt = record.attempt ?? 1;
  const claim = (await store.latestClaim(record.jobName, record.runId, attempt)) ?? {
    attempt,
    host: record.host,
    pid: record.pid,
    claimedAt: record.startedAt,
  };
  const silentMs = now - Date.parse(record.heartbeatAt);
  if (claim.host && claim.host !== os.hostname()) return { alive: silentMs < STALE_AFTER_MS, claim };
  if (!claim.pid) return { alive: now - Date.parse(claim.claimedAt) < SPAWN_GRACE_MS, claim };
  if (!(await runsJob(claim.pid, record.runId))) return { alive: false, claim };
  if (claim.attempt === attempt && silentMs > STALE_AFTER_MS) {
    process.kill(claim.pid, 'SIGKILL');
    await store.log(record.jobName, record.runId, `attempt ${attempt}: job process ${claim.pid} silent for ${Math.round(silentMs / 1000)} s: killed`);
    return { alive: false, claim };
  }
  return { alive: true, claim };
}

/** Asks a live job process on this host to stop (it also watches the stop file). */
export function signalStop(claim: JobProcessClaim): void {
  if (!claim.pid || (claim.host && claim.host !== os.hostname())) return;
  try {
    process.kill(claim.pid, 'SIGTERM');
  } catch {
    // gone already: the next poll settles the run
  }
}
