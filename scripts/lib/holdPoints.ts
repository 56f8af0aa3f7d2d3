/**
 * The caller's side of the hold layer (src/backends/local/testHolds.ts, fault injection): arm a named
 * point, learn which process waits there, release it. Processes see the layer through
 * FLYWHEEL_TEST_HOLDS (pass `env` to the worker; job processes inherit it).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEST_HOLDS_VARIABLE } from '../../src/backends/local/testHolds.js';

export class HoldPoints {
  constructor(readonly folder: string) {}

  get env(): NodeJS.ProcessEnv {
    return { [TEST_HOLDS_VARIABLE]: this.folder };
  }

  async arm(point: string): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    await writeFile(path.join(this.folder, `${point}.armed`), '');
  }

  /** The pid of the next process to reach `point` (its `.held` file is consumed). `meanwhile` runs between looks. */
  async held(point: string, options: { timeoutMs?: number; meanwhile?: () => Promise<unknown> } = {}): Promise<number> {
    const file = path.join(this.folder, `${point}.held`);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (existsSync(file)) {
        const pid = Number(await readFile(file, 'utf8'));
        if (pid > 0) {
          await rm(file);
          return pid;
        }
      }
      await options.meanwhile?.();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`nothing reached hold point ${point} within ${options.timeoutMs ?? 60_000} ms`);
  }

  /** Lets the waiting process go on, and disarms the point for whoever comes next. */
  async release(point: string): Promise<void> {
    await rm(path.join(this.folder, `${point}.armed`), { force: true });
  }
}

export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processRuns(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
