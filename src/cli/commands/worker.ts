import { NativeConnection } from '@temporalio/worker';
import { createFlywheelWorker } from '../../workers/createWorker.js';
import { prebuiltWorkflowBundle } from '../../workers/workflowBundle.js';
import { CliError, EXIT_OK, EXIT_RUN_FAILED } from '../errors.js';
import { loadContext, type CommonOptions } from '../options.js';

/** `flywheel worker`: polls the environment's task queue until SIGINT/SIGTERM, then drains and exits. */
export async function workerCommand(options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: ctx.config.temporal.address });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${ctx.config.temporal.address}: ${(error as Error).message}`, EXIT_RUN_FAILED);
  }
  const workflowBundle = await prebuiltWorkflowBundle(ctx.home);
  const worker = await createFlywheelWorker({ config: ctx.config, home: ctx.home, connection, workflowBundle });
  process.stderr.write(
    `worker for ${ctx.config.environment} (${ctx.config.backend}) polling ${worker.taskQueue} on ` +
      `${ctx.config.temporal.address}/${ctx.config.temporal.namespace}; Ctrl-C to stop\n`,
  );
  try {
    await worker.worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await worker.close();
    await connection.close();
  }
  return EXIT_OK;
}
