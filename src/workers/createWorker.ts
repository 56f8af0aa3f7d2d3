import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { connectOptionsFromConfig, connectWorker } from '../temporal/connection.js';
import { createActivities } from '../activities/index.js';
import { createBackend } from '../backends/index.js';
import { taskQueueFor, type FlywheelConfig } from '../config/schema.js';
import { createLineagePublisher } from '../lineage/index.js';
import type { Backend } from '../ports/backend.js';
import { ensureSearchAttributes } from './searchAttributes.js';
import { bundleWorkflows } from './workflowBundle.js';

export interface FlywheelWorkerOptions {
  config: FlywheelConfig;
  /** State folder (FLYWHEEL_HOME). */
  home: string;
  /** Reuse a connection (tests); otherwise one is opened to `config.temporal.address` and closed with the worker. */
  connection?: NativeConnection;
  /** A pre-built workflow bundle (tests bundle once); otherwise src/workflows is bundled at start. */
  workflowBundle?: { codePath: string };
  taskQueue?: string;
  /** A pre-built backend (tests add emulation/fault layers to its clients); the worker closes it. Built from config otherwise. */
  backend?: Backend;
  /** Extra Worker.create options (tuning). */
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'>;
}

export interface FlywheelWorker {
  worker: Worker;
  taskQueue: string;
  /** Shuts the worker down (if running) and releases the backend and connection. */
  close(): Promise<void>;
}


/** Builds a worker for one environment: its backend, lineage publisher and activities. */
export async function createFlywheelWorker(options: FlywheelWorkerOptions): Promise<FlywheelWorker> {
  const { config, home } = options;
  const ownConnection = !options.connection;
  const connection = options.connection ?? (await connectWorker(connectOptionsFromConfig(config.temporal)));
  const backend = options.backend ?? (await createBackend(config, home));
  try {
    await ensureSearchAttributes(connection, config.temporal.namespace);
    const taskQueue = options.taskQueue ?? taskQueueFor(config);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
      activities: createActivities({ config, backend, lineage: createLineagePublisher(config, home) }),
      shutdownGraceTime: '10s',
      ...options.tuning,
    });
    return {
      worker,
      taskQueue,
      async close() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await backend.close();
        if (ownConnection) await connection.close();
      },
    };
  } catch (error) {
    await backend.close();
    if (ownConnection) await connection.close();
    throw error;
  }
}
