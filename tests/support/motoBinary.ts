import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { ensureVenvTool, isExecutableFile, venvToolWorks, venvBinary } from '../../src/tools/toolsVenv.js';

/**
 * The moto server binary for this test run, in the order the README gives: `MOTO_SERVER` (must be executable),
 * then the project's `.tools/venv`, then `moto_server` on `PATH`; otherwise moto is installed into `.tools/venv`
 * (once, under the shared tools lock). Called once per run by tests/setup/globalSetup.ts.
 */
export async function locateMotoServer(
  env: NodeJS.ProcessEnv = process.env,
  log?: (line: string) => void,
  projectRoot: string = PROJECT_ROOT,
): Promise<string> {
  const explicit = env.MOTO_SERVER;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (await isExecutableFile(resolved)) return resolved;
    throw new Error(`MOTO_SERVER=${explicit} is not an executable file: fix or unset it (moto: pip install 'moto[server]')`);
  }
  if (await venvToolWorks('moto', projectRoot)) return venvBinary('moto', projectRoot);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'moto_server');
    if (candidate && (await isExecutableFile(candidate))) return candidate;
  }
  return ensureVenvTool('moto', { projectRoot, env, ...(log ? { log } : {}) });
}
