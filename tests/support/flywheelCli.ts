import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/home.js';
import type { RefreshHarness } from './refreshHarness.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `flywheel` bin the way an operator's script would, with the env vars it honours. */
export async function flywheel(h: Pick<RefreshHarness, 'home'>, configFile: string, ...args: string[]): Promise<CliResult> {
  const env = { ...process.env, FLYWHEEL_HOME: h.home, FLYWHEEL_CONFIG: configFile, TEMPORAL_ADDRESS: inject('temporalAddress') };
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
