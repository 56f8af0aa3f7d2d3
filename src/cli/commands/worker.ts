import { createFlywheelWorker } from '../../workers/createWorker.js';
import { prebuiltWorkflowBundle } from '../../workers/workflowBundle.js';
import { startHeapTrim } from '../../tools/heapTrim.js';
import { startMemoryLog } from '../../workers/memoryLog.js';
import { installRuntime } from '../../workers/runtime.js';
import { EXIT_OK } from '../errors.js';
import { connectWorkerForCli } from '../temporalConnection.js';
import { loadContext, type CommonOptions } from '../options.js';

/** `flywheel worker`: polls the environment's task queue until SIGINT/SIGTERM, then drains and exits. */
export async function workerCommand(options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  const memoryLog = startMemoryLog(); // FLYWHEEL_MEMORY_LOG=<seconds>; a bad value exits 2 before anything starts
  const heapTrim = startHeapTrim();
  installRuntime(ctx.config.observability);
  const connection = await connectWorkerForCli(ctx.config);
  const workflowBundle = await prebuiltWorkflowBundle(ctx.home);
  const worker = await createFlywheelWorker({ config: ctx.config, home: ctx.home, connection, workflowBundle });
  process.stderr.write(
    `worker for ${ctx.config.environment} (${ctx.config.backend}) polling ${worker.taskQueue} on ` +
      `${ctx.config.temporal.address}/${ctx.config.temporal.namespace}` +
      `${ctx.config.observability.metricsAddress ? `; metrics on http://${ctx.config.observability.metricsAddress}/metrics` : ''}; Ctrl-C to stop\n`,
  );
  try {
    await worker.worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await worker.close();
    await connection.close();
    memoryLog.stop();
    heapTrim.stop();
  }
  return EXIT_OK;
}
