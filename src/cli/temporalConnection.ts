import type { Client } from '@temporalio/client';
import type { FlywheelConfig } from '../config/schema.js';
import { connectClient, connectOptionsFromConfig, connectWorker } from '../temporal/connection.js';
import type { NativeConnection } from '@temporalio/worker';
import { CliError, EXIT_RUN_FAILED } from './errors.js';

/** How long a CLI command waits for the server before saying it cannot reach it. */
const CLI_CONNECT_TIMEOUT_MS = 3_000;

/**
 * Connects to the configured Temporal (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE override the file). An unreachable
 * server is exit code 1 (the command could not do its work; nothing was wrong with what was typed).
 */
export async function connectForCli(config: FlywheelConfig, address = config.temporal.address): Promise<Client> {
  try {
    return await connectClient({ ...connectOptionsFromConfig(config.temporal), address, connectTimeoutMs: CLI_CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${address}: ${(error as Error).message}\n` +
        `  start one with \`npx flywheel server\` (or \`npm run demo\`), or set TEMPORAL_ADDRESS`,
      EXIT_RUN_FAILED,
    );
  }
}

/** The worker's native connection, with the same settings and error. */
export async function connectWorkerForCli(config: FlywheelConfig, address = config.temporal.address): Promise<NativeConnection> {
  try {
    return await connectWorker({ ...connectOptionsFromConfig(config.temporal), address });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${address}: ${(error as Error).message}`, EXIT_RUN_FAILED);
  }
}
