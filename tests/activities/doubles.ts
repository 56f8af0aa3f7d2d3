/**
 * In-memory test doubles for the ports the activities use. They script what the backend reports and
 * record every call, so tests can assert what the activity asked for, in which order.
 */
import type { JobRunner, JobRunStatus, StartJobRunRequest } from '../../src/ports/jobRunner.js';
import type { LakeInventory } from '../../src/ports/lakeInventory.js';
import type { SnapshotObjects } from '../../src/domain/snapshotSelection.js';
import type { SourceTable } from '../../src/domain/tables.js';

export type JobRunnerCall =
  | { method: 'startJobRun'; request: StartJobRunRequest }
  | { method: 'findRunByTag'; jobName: string; runTag: string }
  | { method: 'getJobRun'; jobName: string; runId: string; returned: JobRunStatus }
  | { method: 'stopJobRun'; jobName: string; runId: string };

type Scripted = string | Omit<JobRunStatus, 'runId'>;

export interface ScriptedJobRunnerOptions {
  /** States getJobRun reports, one per call; the last one repeats. */
  states: Scripted[];
  /** States reported after stopJobRun, one per call; the last one repeats. Default: STOPPED at once. */
  afterStop?: Scripted[];
  /** Runs findRunByTag knows about: tag → run id. */
  tagged?: Record<string, string>;
  /** Id startJobRun hands out. */
  newRunId?: string;
}

export class ScriptedJobRunner implements JobRunner {
  readonly calls: JobRunnerCall[] = [];
  private polls = 0;
  private stopPolls = 0;
  private stopped = false;

  constructor(private readonly options: ScriptedJobRunnerOptions) {}

  async startJobRun(request: StartJobRunRequest): Promise<{ runId: string }> {
    this.calls.push({ method: 'startJobRun', request });
    return { runId: this.options.newRunId ?? 'jr_new' };
  }

  async findRunByTag(jobName: string, runTag: string): Promise<string | undefined> {
    this.calls.push({ method: 'findRunByTag', jobName, runTag });
    return this.options.tagged?.[runTag];
  }

  async getJobRun(jobName: string, runId: string): Promise<JobRunStatus> {
    const script = this.stopped ? (this.options.afterStop ?? ['STOPPED']) : this.options.states;
    const index = this.stopped ? this.stopPolls++ : this.polls++;
    const step = script[Math.min(index, script.length - 1)]!;
    const returned: JobRunStatus = typeof step === 'string' ? { runId, state: step } : { runId, ...step };
    this.calls.push({ method: 'getJobRun', jobName, runId, returned });
    return returned;
  }

  async stopJobRun(jobName: string, runId: string): Promise<void> {
    this.calls.push({ method: 'stopJobRun', jobName, runId });
    this.stopped = true;
  }

  callsTo<M extends JobRunnerCall['method']>(method: M): Extract<JobRunnerCall, { method: M }>[] {
    return this.calls.filter((c): c is Extract<JobRunnerCall, { method: M }> => c.method === method);
  }
}

/** A lake that holds exactly what the test says: table name → partitions. */
export class FakeLakeInventory implements LakeInventory {
  readonly listed: string[] = [];
  listInfobaseTablesCalls = 0;

  constructor(
    private readonly snapshots: Record<string, SnapshotObjects[]>,
    private readonly infobaseTables: string[] = Object.keys(snapshots).filter((n) => n !== 'addressable_ids'),
  ) {}

  async listInfobaseTables(): Promise<string[]> {
    this.listInfobaseTablesCalls++;
    return [...this.infobaseTables];
  }

  async listSnapshots(table: SourceTable): Promise<SnapshotObjects[]> {
    this.listed.push(table.name);
    return [...(this.snapshots[table.name] ?? [])];
  }
}
