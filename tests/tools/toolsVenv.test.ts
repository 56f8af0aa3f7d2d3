import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acquireToolsLock, ensureVenvTool, ToolUnavailableError, venvBinary } from '../../src/tools/toolsVenv.js';
import { locateMotoServer } from '../support/motoBinary.js';

let emptyRoot: string;
beforeAll(async () => {
  emptyRoot = await mkdtemp(path.join(os.tmpdir(), 'flywheel-tools-'));
});
afterAll(async () => {
  await rm(emptyRoot, { recursive: true, force: true });
});

describe('ensureVenvTool', () => {
  it('without python3 says what to install and how', async () => {
    const attempt = ensureVenvTool('moto', { projectRoot: emptyRoot, env: { PATH: path.join(emptyRoot, 'no-bin') }, log: () => {} });
    await expect(attempt).rejects.toBeInstanceOf(ToolUnavailableError);
    await expect(attempt).rejects.toThrow(/python3 is not available.*Install Python 3 with venv support \(Debian\/Ubuntu: apt-get install python3 python3-venv/);
  });

  it('waits for the shared install lock instead of racing another installer', async () => {
    const release = await acquireToolsLock(emptyRoot, { owner: 'test' });
    const lines: string[] = [];
    const attempt = ensureVenvTool('moto', { projectRoot: emptyRoot, env: { PATH: '' }, log: (l) => lines.push(l), lockTimeoutMs: 600 });
    await expect(attempt).rejects.toThrow(/timed out after 600 ms waiting for the tools lock/);
    expect(lines.join('\n')).toMatch(/waiting for another process installing tools/);
    await release();
  });
});

describe('locateMotoServer', () => {
  it('the test set-up found or installed one', () => {
    expect(inject('motoServerPath')).toMatch(/moto_server$/);
  });

  it('honours MOTO_SERVER first, and rejects one that is not executable', async () => {
    const fake = path.join(emptyRoot, 'bin', 'moto_server');
    await mkdir(path.dirname(fake), { recursive: true });
    await writeFile(fake, '#!/bin/sh\n');
    await chmod(fake, 0o755);
    expect(await locateMotoServer({ MOTO_SERVER: fake, PATH: '' }, () => {}, emptyRoot)).toBe(fake);
    await expect(locateMotoServer({ MOTO_SERVER: path.join(emptyRoot, 'nope'), PATH: '' }, () => {}, emptyRoot)).rejects.toThrow(
      /MOTO_SERVER=.*nope is not an executable file/,
    );
  });

  it('then PATH, when the project venv has none', async () => {
    const fake = path.join(emptyRoot, 'bin', 'moto_server');
    expect(venvBinary('moto', emptyRoot)).not.toBe(fake);
    expect(await locateMotoServer({ PATH: path.dirname(fake) }, () => {}, emptyRoot)).toBe(fake);
  });
});
