import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in src/config/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** State folder: FLYWHEEL_HOME, or the git-ignored `.flywheel/` in the repository. */
export function flywheelHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.FLYWHEEL_HOME || path.join(PROJECT_ROOT, '.flywheel'));
}
