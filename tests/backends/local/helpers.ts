import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import type { FlywheelConfig } from '../../../src/config/schema.js';
import type { JobRunner, JobRunStatus } from '../../../src/ports/jobRunner.js';
import type { SourceTable } from '../../../src/domain/tables.js';

export const SNAPSHOT = '2026-10-01';
export const ibe = (name: string): SourceTable => ({ name, kind: 'infobase' });
export const ADDRESSABLE: SourceTable = { name: 'addressable_ids', kind: 'addressable' };

/** A small local config: few tables, tiny DuckDB, same layout rules as config/local.yaml. */
export function testConfig(infobase = ['IBE_01', 'MIACS_01', 'CLC_01']): FlywheelConfig {
  return parseConfig(
    {
      environment: 'test',
      backend: 'local',
      layout: {
        sourceBucket: 'src-bucket',
        targetBucket: 'tgt-bucket',
        infobasePrefix: 'opus/infobase_attributes/',
        addressablePrefix: 'opus/addressable_ids/',
        stagedPrefix: 'omc_cleanroom_data/split/',
        bucketedPrefix: 'omc_cleanroom_data/bucketed/',
      },
      tables: { mode: 'list', infobase, addressable: true },
      catalog: { database: 'flywheel_test' },
      jobs: { infobaseSplitAndBucket: 'infobase-split', addressableBucket: 'addressable-bucket' },
      local: { lakeRoot: 'lake', threads: 2, memoryLimit: '256MB' },
    },
    'test config',
    {},
  );
}

export async function tempHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-local-'));
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/** Polls like the activity does, until a terminal state (or the deadline). */
export async function waitForRun(jobs: JobRunner, jobName: string, runId: string, timeoutMs = 15_000): Promise<JobRunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await jobs.getJobRun(jobName, runId);
    if (TERMINAL.has(status.state)) return status;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${status.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function splitArgs(tables: string[], files: Record<string, number>, snapshotDt = SNAPSHOT): Record<string, string> {
  return { '--SNAPSHOT_DT': snapshotDt, '--TABLES_FILTER': tables.join(','), '--FILE_COUNTS': JSON.stringify(files) };
}
