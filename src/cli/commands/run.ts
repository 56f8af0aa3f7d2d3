import { executeRefresh } from '../executeRefresh.js';
import { loadContext, parseRunArgs, type CommonOptions } from '../options.js';
import { connectForCli } from '../temporalConnection.js';

export interface RunOptions extends CommonOptions {
  snapshot?: string;
  tables?: string;
  progress?: boolean;
}

/** `flywheel run`: starts the monthly refresh on a running worker and follows it to the end. */
export async function runCommand(options: RunOptions): Promise<number> {
  const request = parseRunArgs(options);
  const ctx = loadContext(options);
  const client = await connectForCli(ctx.config);
  try {
    const { exitCode } = await executeRefresh(client, ctx, request, { progress: options.progress !== false });
    return exitCode;
  } finally {
    await client.connection.close();
  }
}
