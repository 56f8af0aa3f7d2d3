import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/backends/local/files.js';
import { LocalRunManifests } from '../../../src/backends/local/runManifests.js';

/** A worker killed mid-write leaves `<file>.<pid>.<n>.tmp`: the next write of that file removes it (found by bench:chaos). */
describe('atomic writes sweep what a killed writer left', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

  it('removes temps of writers that no longer run, keeps live writers’ temps and other files’', async () => {
    const file = path.join(dir, 'report.json');
    const dead = deadPid();
    const left = [`report.json.${dead}.1796309244307.tmp`, `report.json.${dead}.0a1b2c3d.tmp`];
    const kept = [`report.json.${process.pid}.deadbeef.tmp`, `other.json.${dead}.1796309244307.tmp`, 'report.json.notes'];
    for (const name of [...left, ...kept]) await writeFile(path.join(dir, name), 'partial');
    await writeFileAtomic(file, '{"ok":true}');
    expect(await readFile(file, 'utf8')).toBe('{"ok":true}');
    expect((await readdir(dir)).sort()).toEqual([...kept, 'report.json'].sort());
  });

  it('a retried manifest write leaves no temp file of the killed attempt', async () => {
    const manifests = new LocalRunManifests(dir);
    const target = manifests.location('wf/run', 'tables/IBE_01/report');
    await manifests.write('wf/run', 'tables/IBE_01/report', { attempt: 1 });
    await writeFile(`${target}.${deadPid()}.1796309244307.tmp`, '{"attem');
    await manifests.write('wf/run', 'tables/IBE_01/report', { attempt: 2 });
    expect(await manifests.read('wf/run', 'tables/IBE_01/report')).toEqual({ attempt: 2 });
    expect(await readdir(path.dirname(target))).toEqual(['report.json']);
  });
});
