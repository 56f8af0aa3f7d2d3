import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobKey } from '../../domain/jobRuns.js';
import type { OperationContext } from '../../ports/context.js';
import type { DeltaMaintenance, MaintainTableRequest, MaintainTableResult, MaintenanceTarget } from '../../ports/deltaMaintenance.js';
import type { JobRunner } from '../../ports/jobRunner.js';
import { runJobToCompletion } from './awaitJobRun.js';
import { readJsonObject } from './s3Objects.js';

// JobKey (domain/jobRuns.ts) has no maintenance member yet; the runner only uses the key to look up
// per-job capacity overrides, and the runner handed to us is built with none (aws.glue.defaults apply).
const MAINTENANCE_JOB_KEY: JobKey = 'deltaMaintenance';

/** What the Glue script may write to `--RESULT_URI` (all optional: older scripts write less). */
const JobResultSchema = z.object({
  filesCompacted: z.number().int().min(0).optional(),
  filesWritten: z.number().int().min(0).optional(),
  filesRemoved: z.number().int().min(0).optional(),
  partitionsRemoved: z.number().int().min(0).optional(),
});

/** Where the run for `runTag` is asked to write its result: stable, so a retry reads the same object. */
export function maintenanceResultUri(resultPrefix: string, environment: string, runTag: string): string {
  return `${resultPrefix}${environment}/${createHash('sha256').update(runTag).digest('hex').slice(0, 24)}.json`;
}

/** The job's arguments. Unused options are passed as '' (Glue's getResolvedOptions needs every key). */
export function maintenanceJobArguments(target: MaintenanceTarget, retainHours: number, resultUri: string | undefined): Record<string, string> {
  return {
    '--TABLE': target.catalogTable ?? `delta.\`${target.location}\``,
    '--OPTIMIZE_WHERE': target.where ?? '',
    '--ZORDER_BY': target.zorderBy.join(','),
    '--RETAIN_HOURS': String(retainHours),
    '--RESULT_URI': resultUri ?? '',
  };
}

/**
 * Delta OPTIMIZE/VACUUM through the configured Glue Spark job (Athena cannot maintain Delta tables).
 * Start → poll → heartbeat like the refresh's job runs, with the run tag so a retried activity
 * re-attaches instead of starting a second run; cancellation stops the run. File counts come from
 * the JSON the job writes to `--RESULT_URI` (when `maintenance.resultPrefix` is set); otherwise they
 * are reported as unknown.
 */
export class GlueDeltaMaintenance implements DeltaMaintenance {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly jobs: JobRunner,
    private readonly s3: S3Client,
  ) {}

  private jobName(): string {
    const name = this.config.maintenance.glueJob;
    if (!name) throw new InvalidInputError('maintenance.glueJob is not set: name the Glue Spark job that runs Delta OPTIMIZE/VACUUM');
    return name;
  }

  check(_target: MaintenanceTarget): void {
    // Identifiers, locations and WHERE are validated by the config schema and the planner; the job
    // name is the only AWS-specific requirement.
    this.jobName();
  }

  async maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult> {
    const jobName = this.jobName();
    const { resultPrefix } = this.config.maintenance;
    const resultUri = resultPrefix ? maintenanceResultUri(resultPrefix, this.config.environment, request.runTag) : undefined;

    const runId = await runJobToCompletion(
      this.jobs,
      {
        jobKey: MAINTENANCE_JOB_KEY,
        jobName,
        runTag: request.runTag,
        arguments: maintenanceJobArguments(request.target, request.retainHours, resultUri),
        table: request.target.name,
        purpose: `for ${request.target.name}`,
        pollMinMs: this.config.jobs.pollMinSeconds * 1000,
        pollMaxMs: this.config.jobs.pollMaxSeconds * 1000,
      },
      ctx,
    );
    return { ...(await this.readResult(resultUri)), jobRunId: runId };
  }

  private async readResult(resultUri: string | undefined): Promise<Omit<MaintainTableResult, 'jobRunId'>> {
    const unknown = { filesCompacted: null, filesWritten: null, filesRemoved: null, partitionsRemoved: null };
    if (!resultUri) return { ...unknown, notes: ['file counts unknown: set maintenance.resultPrefix so the job can report them'] };
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(resultUri)!;
    const raw = await readJsonObject<unknown>(this.s3, match[1]!, match[2]!);
    if (raw === undefined) return { ...unknown, notes: [`file counts unknown: the job wrote no result to ${resultUri}`] };
    const parsed = JobResultSchema.safeParse(raw);
    if (!parsed.success) return { ...unknown, notes: [`file counts unknown: unreadable result at ${resultUri}`] };
    const r = parsed.data;
    return {
      filesCompacted: r.filesCompacted ?? null,
      filesWritten: r.filesWritten ?? null,
      filesRemoved: r.filesRemoved ?? null,
      partitionsRemoved: r.partitionsRemoved ?? null,
      notes: [`counts from ${resultUri}`],
    };
  }
}
