import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../config/home.js';

/** The workflows the worker runs (bundled by the SDK, or prebuilt here). */
export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'src', 'workflows', 'index.ts');
/**
 * The workflows' payload converter (decoding never throws: a poison signal is rejected, not fatal).
 * It lives in the bundle only: activities decode what the workflow itself sent.
 */
export const PAYLOAD_CONVERTER_PATH = path.join(PROJECT_ROOT, 'src', 'workflows', 'payloadConverter.ts');

/** Builds the workflow bundle in this process (webpack + swc; ~1.5 s). */
export async function bundleWorkflows(): Promise<{ code: string }> {
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, payloadConverterPath: PAYLOAD_CONVERTER_PATH, logger: new DefaultLogger('WARN') });
}

/** Hash of every source file the bundle can include (workflows import domain code and types). */
async function sourceHash(dir = path.join(PROJECT_ROOT, 'src')): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts')) hash.update(full).update(await readFile(full));
    }
  };
  await walk(dir);
  return hash.digest('hex').slice(0, 16);
}

/** Where the bundle of the current sources lives (tests put the one they built there). */
export async function workflowBundleFile(home: string): Promise<string> {
  return path.join(home, 'cache', `workflow-bundle-${await sourceHash()}.js`);
}

/**
 * The workflow bundle, built once per source version into `<home>/cache/` by a child process.
 * Bundling (webpack + swc) costs ~170 MB of RSS that Node never gives back; doing it elsewhere
 * keeps the long-running worker process small.
 */
export async function prebuiltWorkflowBundle(home: string): Promise<{ codePath: string }> {
  const codePath = await workflowBundleFile(home);
  if (!existsSync(codePath)) {
    await mkdir(path.dirname(codePath), { recursive: true });
    const partial = `${codePath}.${process.pid}.tmp`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), partial], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(partial, codePath);
  }
  return { codePath };
}

// Run as a script: bundle into the file named by argv[2].
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { code } = await bundleWorkflows();
  await writeFile(process.argv[2]!, code);
}
