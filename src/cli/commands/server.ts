import path from 'node:path';
import { startDevServer } from '../../temporal/devServer.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../../workflows/searchAttributes.js';
import { EXIT_OK } from '../errors.js';
import { loadContext, parsePort, type CommonOptions } from '../options.js';

export interface ServerOptions extends CommonOptions {
  port?: string;
}

/** Where the local dev server keeps its state, so runs stay visible in the Web UI across restarts. */
export function devServerDbFile(home: string): string {
  return path.join(home, 'temporal', 'dev-server.sqlite');
}

/** `flywheel server`: the Temporal dev server with Flywheel's search attributes, in the foreground. */
export async function serverCommand(options: ServerOptions): Promise<number> {
  const ctx = loadContext(options);
  const port = options.port === undefined ? 7233 : parsePort('--port', options.port);
  const server = await startDevServer({
    port,
    dbFile: devServerDbFile(ctx.home),
    namespace: ctx.config.temporal.namespace,
    searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
  });
  process.stderr.write(`Temporal dev server on ${server.address}; Web UI ${server.uiUrl}; state ${server.dbFile}\nCtrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  return EXIT_OK;
}
