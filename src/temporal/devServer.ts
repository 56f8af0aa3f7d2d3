/**
 * Starts and stops a local Temporal dev server (`temporal server start-dev`) as a child process.
 *
 * - Loopback only; free ports are picked when none are given (UI on port+1000 when free).
 * - On Linux the binary runs under `setpriv --pdeathsig TERM`, so the kernel stops it even if this process is
 *   SIGKILLed. (PDEATHSIG follows the *thread* that spawned the child: spawn from the main thread of a process,
 *   e.g. vitest's `forks` pool, not from a worker thread.) Servers are also killed on process exit, SIGINT, SIGTERM.
 * - Resolves only when the frontend answers, the namespace exists and the requested search attributes are
 *   registered; a timeout or an early exit raises an error carrying the tail of the server's output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { checkReady, getFreePort, isPortFree, pickPorts, tcpAccepts } from './network.js';
import { locateTemporalCli } from './temporalCli.js';

export { getFreePort, isPortFree, isServerReachable } from './network.js';

/** Search attribute types accepted by `temporal server start-dev --search-attribute NAME=TYPE`. */
export type SearchAttributeTypeName = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface StartDevServerOptions {
  /** gRPC frontend port (default: a free loopback port). */
  port?: number;
  /** Web UI port (default: port+1000 when free, else another free port). Ignored when headless. */
  uiPort?: number;
  /** No Web UI (default false). */
  headless?: boolean;
  /** SQLite file for persistent state (default: in-memory, lost on stop). Its folder is created. */
  dbFile?: string;
  /** Namespace to create at launch besides `default` (default `default`). */
  namespace?: string;
  /** Search attributes to register, e.g. `{ FlywheelStatus: 'Keyword' }`. */
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  /** Receives every line the server prints (default: lines are kept for error messages only). */
  log?: (line: string) => void;
  /** Temporal CLI to run (default: {@link locateTemporalCli}). */
  cliPath?: string;
  /** Interface to bind (default 127.0.0.1). */
  ip?: string;
  /** Server log level (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the server to become healthy (default 30 s). */
  startTimeoutMs?: number;
  /** Extra `start-dev` arguments, e.g. `['--dynamic-config-value', 'K=V']`. */
  extraArgs?: string[];
}

export interface DevServer {
  /** `host:port` of the gRPC frontend. */
  address: string;
  port: number;
  /** Web UI URL, unless headless. */
  uiUrl?: string;
  namespace: string;
  dbFile?: string;
  /** Process id of the server (the `temporal` process itself; setpriv execs it). */
  pid: number;
  /** Last lines the server printed. */
  outputTail(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
}

const SEARCH_ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SEARCH_ATTRIBUTE_TYPES: ReadonlySet<string> = new Set([
  'Text',
  'Keyword',
  'Int',
  'Double',
  'Bool',
  'Datetime',
  'KeywordList',
]);
const TAIL_LINES = 60;

// ---------------------------------------------------------------------------------------------------------------
// Process supervision

let setprivSupported: boolean | undefined;

/** Whether `setpriv --pdeathsig` (util-linux) is usable here. */
export function hasSetprivPdeathsig(): boolean {
  if (setprivSupported === undefined) {
    if (process.platform !== 'linux') setprivSupported = false;
    else {
      const probe = spawnSync('setpriv', ['--pdeathsig', 'TERM', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
      setprivSupported = probe.status === 0;
    }
  }
  return setprivSupported;
}

const liveServers = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killAllLive(signal: NodeJS.Signals): void {
  for (const child of liveServers) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all we can do.
  process.on('exit', () => killAllLive('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAllLive('SIGTERM');
      process.removeListener(signal, handler);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function buildArgs(
  opts: StartDevServerOptions,
  ip: string,
  port: number,
  uiPort: number | undefined,
  namespace: string,
): string[] {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port)];
  if (opts.headless) args.push('--headless');
  else if (uiPort !== undefined) args.push('--ui-port', String(uiPort));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push('--log-level', opts.logLevel ?? 'warn', ...(opts.extraArgs ?? []));
  return args;
}

function validate(opts: StartDevServerOptions): void {
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    if (!SEARCH_ATTRIBUTE_NAME.test(name)) throw new TypeError(`invalid search attribute name ${JSON.stringify(name)}`);
    if (!SEARCH_ATTRIBUTE_TYPES.has(type)) {
      throw new TypeError(`search attribute ${name}: unknown type ${JSON.stringify(type)} (one of ${[...SEARCH_ATTRIBUTE_TYPES].join(', ')})`);
    }
  }
  for (const [key, value] of [
    ['port', opts.port],
    ['uiPort', opts.uiPort],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 65535)) {
      throw new TypeError(`${key} must be an integer in 1..65535, got ${value}`);
    }
  }
}

interface Attempt {
  child: ChildProcess;
  tail: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(cli: string, args: string[], log: ((line: string) => void) | undefined): Attempt {
  const usePdeathsig = hasSetprivPdeathsig();
  const command = usePdeathsig ? 'setpriv' : cli;
  const argv = usePdeathsig ? ['--pdeathsig', 'TERM', '--', cli, ...args] : args;
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const tail: string[] = [];
  const onData = (stream: NodeJS.ReadableStream): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        log?.(line);
      }
    });
  };
  if (child.stdout) onData(child.stdout);
  if (child.stderr) onData(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      tail.push(`spawn error: ${error.message}`);
      resolve({ code: -1, signal: null });
    });
  });
  liveServers.add(child);
  void exited.then(() => liveServers.delete(child));
  return { child, tail, exited };
}

/**
 * Starts `temporal server start-dev` and waits until it is ready. See {@link StartDevServerOptions}.
 * Retries with new ports (up to 3 times) when an auto-picked port was taken in between.
 */
export async function startDevServer(opts: StartDevServerOptions = {}): Promise<DevServer> {
  validate(opts);
  const cli = opts.cliPath ?? (await locateTemporalCli());
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const attributeNames = Object.keys(opts.searchAttributes ?? {});
  if (opts.dbFile) await mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  installExitHooks();

  const autoPorts = opts.port === undefined;
  const maxAttempts = autoPorts ? 3 : 1;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let port: number;
    let uiPort: number | undefined;
    if (autoPorts) {
      ({ port, uiPort } = await pickPorts(ip, !opts.headless, opts.uiPort));
    } else {
      port = opts.port!;
      // Probing a taken port would find the server already there and report *it* as ready.
      if (!(await isPortFree(port, ip))) {
        throw new DevServerStartError(`cannot start a Temporal dev server on ${ip}:${port}: the port is already in use`);
      }
      if (opts.headless) uiPort = undefined;
      else if (opts.uiPort !== undefined) uiPort = opts.uiPort;
      else uiPort = port + 1000 <= 65535 && (await isPortFree(port + 1000, ip)) ? port + 1000 : await getFreePort(ip);
    }
    const address = `${ip}:${port}`;
    const args = buildArgs(opts, ip, port, uiPort, namespace);
    const started = Date.now();
    const { child, tail, exited } = launch(cli, args, opts.log);
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void exited.then((info) => (exitInfo = info));

    const describe = (): string =>
      `command: ${cli} ${args.join(' ')}\n--- server output (last ${tail.length} lines) ---\n${tail.join('\n') || '(none)'}`;
    let lastProbe = '';
    let ready = false;
    while (Date.now() - started < timeoutMs) {
      if (exitInfo) break;
      try {
        if (!(await tcpAccepts(ip, port))) throw new Error(`nothing listening on ${address} yet`);
        await checkReady(address, namespace, attributeNames);
        ready = true;
        break;
      } catch (error) {
        lastProbe = (error as Error).message;
      }
      if (exitInfo) break;
      await sleep(50);
    }
    if (ready) {
      let stopping: Promise<void> | undefined;
      const server: DevServer = {
        address,
        port,
        namespace,
        pid: child.pid ?? -1,
        outputTail: () => tail.join('\n'),
        stop: () => {
          stopping ??= (async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            if (!(await waitForExit(child, 5_000))) {
              child.kill('SIGKILL');
              await waitForExit(child, 5_000);
            }
          })();
          return stopping;
        },
      };
      if (!opts.headless && uiPort !== undefined) server.uiUrl = `http://${ip}:${uiPort}`;
      if (opts.dbFile) server.dbFile = opts.dbFile;
      return server;
    }

    if (exitInfo) {
      const portClash = tail.some((line) => /address already in use/i.test(line));
      lastError = new DevServerStartError(
        `Temporal dev server exited during startup (code ${exitInfo.code}, signal ${exitInfo.signal}).\n${describe()}`,
      );
      if (portClash && attempt < maxAttempts) continue;
      throw lastError;
    }
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
    throw new DevServerStartError(
      `Temporal dev server at ${address} not ready after ${timeoutMs} ms (last probe: ${lastProbe}).\n${describe()}`,
    );
  }
  throw lastError ?? new DevServerStartError('Temporal dev server did not start');
}

