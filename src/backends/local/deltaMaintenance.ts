import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError, JobRunFailedError } from '../../domain/errors.js';
import type { OperationContext } from '../../ports/context.js';
import type { DeltaMaintenance, MaintainTableRequest, MaintainTableResult, MaintenanceTarget } from '../../ports/deltaMaintenance.js';
import { runJobToCompletion } from '../aws/awaitJobRun.js';
import { checkTargetColumns, readDeltaTableMetadata, type DeltaLogFiles } from '../deltaLogMetadata.js';
import { maintenanceJobArguments, maintenanceResultName, parseMaintenanceJobResult, tableResultOf, maintenanceJobRun } from '../deltaMaintenanceJob.js';
import { DELTA_MAINTENANCE_SCRIPT, locateDeltaPython } from './deltaPython.js';
import { deltaTableDir } from './deltaTables.js';
import { isMissing } from './files.js';
import type { LakePaths } from './paths.js';
import { ProcessJobRunner } from './processJobRunner.js';

/** The job records' name when `maintenance.glueJob` is not set. */
export const LOCAL_MAINTENANCE_JOB = 'flywheel-delta-maintenance';

function localDeltaLog(dir: string): DeltaLogFiles {
  const logDir = path.join(dir, '_delta_log');
  return {
    location: dir,
    list: () => fs.readdir(logDir).catch((error: unknown) => (isMissing(error) ? [] : Promise.reject(error))),
    read: async (name) => new Uint8Array(await fs.readFile(path.join(logDir, name))),
  };
}

/**
 * Delta OPTIMIZE + VACUUM on the local lake's Delta tables by the same job script the AWS backend runs
 * as its Glue job (jobs/delta_maintenance.py, delta-rs), started as a local process with the Glue job
 * contract (ProcessJobRunner): re-attached by run tag after a worker crash, stopped on cancellation,
 * its figures read from the result JSON it writes.
 */
export class LocalDeltaMaintenance implements DeltaMaintenance {
  private readonly jobs: ProcessJobRunner;

  constructor(
    private readonly config: FlywheelConfig,
    private readonly paths: LakePaths,
    private readonly home: string,
  ) {
    this.jobs = new ProcessJobRunner(home, DELTA_MAINTENANCE_SCRIPT, () => locateDeltaPython());
  }

  private tableDir(target: MaintenanceTarget): string {
    if (!target.location) {
      throw new InvalidInputError(`maintenance table ${target.name}: the local backend needs location: s3://<bucket>/<prefix>/ (mapped into the lake), not catalogTable`);
    }
    return deltaTableDir(this.paths, target.location, `maintenance table ${target.name}`);
  }

  async check(target: MaintenanceTarget): Promise<void> {
    const dir = this.tableDir(target);
    const exists = await fs.stat(dir).then((s) => s.isDirectory(), (error: unknown) => (isMissing(error) ? false : Promise.reject(error)));
    if (!exists) throw new InvalidInputError(`maintenance table ${target.name}: ${target.location} (${dir}) does not exist; \`flywheel seed\` writes the sample Delta tables`);
    const metadata = await readDeltaTableMetadata(localDeltaLog(dir)).catch((error: unknown) => {
      throw error instanceof InvalidInputError ? new InvalidInputError(`maintenance table ${target.name}: ${error.message}`) : error;
    });
    checkTargetColumns(target, metadata, dir);
  }

  async maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult> {
    const { target } = request;
    const resultFile = path.join(this.home, 'maintenance', 'results', maintenanceResultName(this.config.environment, request.runTag));
    const args = maintenanceJobArguments(
      { table: `delta.\`${this.tableDir(target)}\``, where: target.where, zorderBy: target.zorderBy, retainHours: request.retainHours, resultUri: `file://${resultFile}` },
      this.config.maintenance,
    );
    const runId = await runJobToCompletion(
      this.jobs,
      maintenanceJobRun(this.config, { jobName: this.config.maintenance.glueJob ?? LOCAL_MAINTENANCE_JOB, runTag: request.runTag, table: target.name, arguments: args }),
      ctx,
    );
    const result = parseMaintenanceJobResult(JSON.parse(await fs.readFile(resultFile, 'utf8')));
    if (result?.status !== 'SUCCEEDED') throw new JobRunFailedError(`job run ${runId} succeeded but ${resultFile} holds no successful result`);
    return tableResultOf(result, runId);
  }
}
