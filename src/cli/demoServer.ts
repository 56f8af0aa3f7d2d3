import { isPortFree, isServerReachable, startDevServer, type DevServer } from '../temporal/devServer.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../workflows/searchAttributes.js';
import { CliError, EXIT_RUN_FAILED } from './errors.js';
import { devServerDbFile } from './commands/server.js';

export interface DemoServer {
  address: string;
  uiBase: string;
  /** Set when the demo started it (and stops it at the end). */
  server?: DevServer;
}

const DEFAULT_PORT = 7233;
const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The Temporal server the demo uses. Told one (`--temporal-address` or TEMPORAL_ADDRESS), it uses that one and
 * says so; otherwise it starts its own dev server — on 7233 with its state in FLYWHEEL_HOME, or, when something
 * else already listens there, on a free port with in-memory state — and never attaches to a server it was not
 * pointed at.
 */
export async function obtainDemoServer(opts: { explicitAddress?: string; home: string; namespace: string }): Promise<DemoServer> {
  if (opts.explicitAddress) {
    if (!(await isServerReachable(opts.explicitAddress))) {
      throw new CliError(`cannot reach the Temporal server at ${opts.explicitAddress} (from --temporal-address / TEMPORAL_ADDRESS)`, EXIT_RUN_FAILED);
    }
    say(`using the Temporal server at ${opts.explicitAddress} (as told by --temporal-address / TEMPORAL_ADDRESS)`);
    return { address: opts.explicitAddress, uiBase: 'http://localhost:8233' };
  }
  const ownPorts = (await isPortFree(DEFAULT_PORT)) && (await isPortFree(DEFAULT_PORT + 1000));
  if (!ownPorts) {
    say(
      `localhost:${DEFAULT_PORT} is already taken (another Temporal server?); the demo starts its own on a free port, ` +
        `with in-memory state. To use the one on ${DEFAULT_PORT}: --temporal-address localhost:${DEFAULT_PORT}`,
    );
  }
  const server = await startDevServer({
    ...(ownPorts ? { port: DEFAULT_PORT, uiPort: DEFAULT_PORT + 1000, dbFile: devServerDbFile(opts.home) } : {}),
    namespace: opts.namespace,
    searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
  });
  say(`started the demo's Temporal dev server on ${server.address}, Web UI ${server.uiUrl}${server.dbFile ? ` (state: ${server.dbFile})` : ''}`);
  return { address: server.address, uiBase: server.uiUrl ?? `http://localhost:${server.port + 1000}`, server };
}
