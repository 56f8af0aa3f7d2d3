/**
 * A Flywheel worker as a real child process (`flywheel worker`), for crash tests and the chaos bench:
 * it can be SIGKILLed like a production worker, and nothing of it survives in the caller's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/config/home.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { workflowBundleFile } from '../../src/workers/workflowBundle.js';

export interface WorkerProcessOptions {
  home: string;
  config: FlywheelConfig;
  /** A workflow bundle of the current sources to reuse (else the worker builds one into `<home>/cache`). */
  bundlePath?: string;
  /** Extra environment (FLYWHEEL_TEST_HOLDS, …). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the worker to poll (default 60 s). */
  readyTimeoutMs?: number;
}

export interface WorkerProcess {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const { home, config } = options;
  const configFile = path.join(home, 'worker-config.yaml');
  await writeFile(configFile, stringify(config));
  if (options.bundlePath) {
    const target = await workflowBundleFile(home);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(options.bundlePath, target);
  }
  const child: ChildProcess = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'worker', '--config', configFile], {
    // MALLOC_ARENA_MAX set: bin/flywheel.js runs the worker in this very process (no re-exec), so a
    // signal to `pid` reaches the worker itself.
    env: { ...process.env, MALLOC_ARENA_MAX: '2', FLYWHEEL_HOME: home, TEMPORAL_ADDRESS: config.temporal.address, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!output.includes('polling')) {
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start polling:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    pid: child.pid!,
    exited,
    async kill(signal = 'SIGKILL') {
      if (!gone) child.kill(signal);
      await exited;
    },
    output: () => output,
  };
}
