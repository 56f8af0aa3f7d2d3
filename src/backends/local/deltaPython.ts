/**
 * The Python that runs delta-rs for the local backend (the seed's Delta tables, jobs/delta_maintenance.py).
 *
 * `FLYWHEEL_PYTHON` if set (it must import the pinned deltalake), else the project's tools venv
 * `.tools/venv/bin/python`, provisioned on first use with the locked `delta` tool (src/tools/toolsVenv.ts, under
 * the shared tools lock, as `scripts/ensure-tools.sh delta` does).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/home.js';
import { InvalidInputError } from '../../domain/errors.js';
import { ensureVenvTool } from '../../tools/toolsVenv.js';
import { pinnedDeltalakeVersion } from '../deltaMaintenanceJob.js';

export { DELTA_MAINTENANCE_SCRIPT } from '../deltaMaintenanceJob.js';
export const DELTA_SEED_SCRIPT = path.join(PROJECT_ROOT, 'src', 'backends', 'local', 'delta_seed.py');

export interface PythonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `args`, feeding `input` on stdin; resolves with what it printed (never rejects on exit code). */
export function runProcess(command: string, args: string[], options: { input?: string; signal?: AbortSignal } = {}): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

async function deltalakeVersion(python: string): Promise<string | undefined> {
  const run = await runProcess(python, ['-c', 'import deltalake, arro3.io; print(deltalake.__version__)']).catch(() => undefined);
  return run?.code === 0 ? run.stdout.trim() : undefined;
}

let located: Promise<string> | undefined;

/** Finds (provisioning if needed) a python with the pinned deltalake; cached per process. */
export function locateDeltaPython(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  located ??= findDeltaPython(env).catch((error: unknown) => {
    located = undefined; // a later call may succeed once the tools are installed
    throw error;
  });
  return located;
}

async function findDeltaPython(env: NodeJS.ProcessEnv): Promise<string> {
  const pin = pinnedDeltalakeVersion();
  if (env.FLYWHEEL_PYTHON) {
    const version = await deltalakeVersion(env.FLYWHEEL_PYTHON);
    if (version === pin) return env.FLYWHEEL_PYTHON;
    throw new InvalidInputError(
      `FLYWHEEL_PYTHON=${env.FLYWHEEL_PYTHON} ${version ? `has deltalake ${version}` : 'cannot import deltalake and arro3.io'}; ` +
        `the local Delta tables need deltalake==${pin} (scripts/ensure-tools.sh delta installs it into .tools/venv), or unset FLYWHEEL_PYTHON`,
    );
  }
  return ensureVenvTool('delta', { env });
}
