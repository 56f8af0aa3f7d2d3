import type { Client } from '@temporalio/client';
import type { FlywheelConfig } from '../config/schema.js';
import { connectClient } from '../temporal/connection.js';
import { CliError, EXIT_RUN_FAILED } from './errors.js';

/** Connects to the configured Temporal (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE override the file). */
export async function connectForCli(config: FlywheelConfig, address = config.temporal.address): Promise<Client> {
  try {
    return await connectClient({ address, namespace: config.temporal.namespace });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${address}: ${(error as Error).message}\n` +
        `  start one with \`npx flywheel server\` (or \`npm run demo\`), or set TEMPORAL_ADDRESS`,
      EXIT_RUN_FAILED,
    );
  }
}
