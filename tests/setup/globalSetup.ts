/**
 * vitest globalSetup: ONE Temporal dev server and ONE workflow bundle for the whole test run.
 *
 * Tests get them with `inject` from 'vitest':
 *   inject('temporalAddress')     → '127.0.0.1:<port>' of a headless dev server (temp SQLite db)
 *   inject('temporalNamespace')   → 'default'
 *   inject('temporalCliPath')     → the Temporal CLI binary used
 *   inject('motoServerPath')      → the moto_server binary (MOTO_SERVER, .tools/venv, PATH; else installed into
 *                                   .tools/venv once, here, before any test file starts)
 *   inject('workflowBundlePath')  → a file with bundleWorkflowCode() output for src/workflows/index.ts, for
 *                                   Worker.create({ workflowBundle: { codePath } }); undefined when that file
 *                                   does not exist (yet)
 * Search attributes FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus (Keyword) are registered, plus any
 * listed in FLYWHEEL_SEARCH_ATTRIBUTES of src/workflows/searchAttributes.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type {} from 'vitest'; // brings 'vitest' into the program for the ProvidedContext augmentation below
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { startDevServer, type DevServer, type SearchAttributeTypeName } from '../../src/temporal/devServer.js';
import { locateTemporalCli } from '../../src/temporal/temporalCli.js';
import { locateMotoServer } from '../support/motoBinary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the shared dev server. */
    temporalAddress: string;
    /** Namespace on it (with the Flywheel search attributes registered). */
    temporalNamespace: string;
    /** Temporal CLI binary that runs it. */
    temporalCliPath: string;
    /** moto_server binary (AWS API emulator) for tests/support/moto.ts. */
    motoServerPath: string;
    /** Bundled src/workflows/index.ts; absent when there is no such file. */
    workflowBundlePath?: string;
  }
}

const DEFAULT_SEARCH_ATTRIBUTES: Record<string, SearchAttributeTypeName> = {
  FlywheelEnvironment: 'Keyword',
  FlywheelSnapshotDt: 'Keyword',
  FlywheelStatus: 'Keyword',
};

const log = (line: string): void => void process.stderr.write(`[globalSetup] ${line}\n`);

/** Adds the workflows' own attribute list when that module exists (loaded by path: it may not exist yet). */
async function searchAttributes(): Promise<Record<string, SearchAttributeTypeName>> {
  const file = path.join(PROJECT_ROOT, 'src', 'workflows', 'searchAttributes.ts');
  if (!existsSync(file)) return DEFAULT_SEARCH_ATTRIBUTES;
  const mod = (await import(pathToFileURL(file).href)) as { FLYWHEEL_SEARCH_ATTRIBUTES?: Record<string, string> };
  return { ...DEFAULT_SEARCH_ATTRIBUTES, ...(mod.FLYWHEEL_SEARCH_ATTRIBUTES as Record<string, SearchAttributeTypeName>) };
}

async function bundleWorkflows(tempDir: string): Promise<string | undefined> {
  const workflowsPath = path.join(PROJECT_ROOT, 'src', 'workflows', 'index.ts');
  if (!existsSync(workflowsPath)) {
    log(`no ${path.relative(PROJECT_ROOT, workflowsPath)}: tests get no workflowBundlePath`);
    return undefined;
  }
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  const started = Date.now();
  // The workflows' own payload converter (poison-proof decoding), as src/workers/workflowBundle.ts bundles it.
  const converter = path.join(PROJECT_ROOT, 'src', 'workflows', 'payloadConverter.ts');
  const payloadConverterPath = existsSync(converter) ? converter : undefined;
  const { code } = await bundleWorkflowCode({ workflowsPath, payloadConverterPath, logger: new DefaultLogger('WARN') });
  const bundlePath = path.join(tempDir, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
  log(`bundled ${path.relative(PROJECT_ROOT, workflowsPath)} in ${Date.now() - started} ms (${(code.length / 1e6).toFixed(1)} MB)`);
  return bundlePath;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-vitest-'));
  let server: DevServer | undefined;
  const teardown = async (): Promise<void> => {
    await server?.stop();
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    const cliPath = await locateTemporalCli();
    const started = Date.now();
    // Start the server and bundle concurrently: they are independent.
    const serverStarting = searchAttributes().then(async (attributes) => {
      server = await startDevServer({
        cliPath,
        headless: true,
        dbFile: path.join(tempDir, 'temporal.sqlite'),
        namespace: 'default',
        searchAttributes: attributes,
      });
      log(`Temporal dev server ${server.address} (pid ${server.pid}) ready in ${Date.now() - started} ms`);
      return server;
    });
    const motoLocating = locateMotoServer(process.env, log);
    const [serverResult, bundleResult, motoResult] = await Promise.allSettled([serverStarting, bundleWorkflows(tempDir), motoLocating]);
    if (serverResult.status === 'rejected') throw serverResult.reason;
    if (bundleResult.status === 'rejected') throw bundleResult.reason;
    if (motoResult.status === 'rejected') throw motoResult.reason;
    server = serverResult.value;
    const bundlePath = bundleResult.value;
    project.provide('temporalAddress', server.address);
    project.provide('temporalNamespace', server.namespace);
    project.provide('temporalCliPath', cliPath);
    project.provide('motoServerPath', motoResult.value);
    if (bundlePath) project.provide('workflowBundlePath', bundlePath);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
