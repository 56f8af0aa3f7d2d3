import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/home.js';

async function flywheel(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('flywheel bucket-of (no server needed)', () => {
  it("prints each value's Hive v1 bucket under config/local.yaml's 256 buckets, and the file prefix", async () => {
    const { code, stdout } = await flywheel('bucket-of', 'CU00000001', 'Trino rocks');
    expect(code).toBe(0);
    expect(stdout).toBe('CU00000001\tbucket 115 of 256\tfile 000115_0_*\nTrino rocks\tbucket 26 of 256\tfile 000026_0_*\n');
    const json = await flywheel('bucket-of', '--count', '4', '--json', 'Trino rocks');
    expect(JSON.parse(json.stdout)).toEqual([{ value: 'Trino rocks', bucket: 2, bucketCount: 4, filePrefix: '000002_0_' }]);
    const date = await flywheel('bucket-of', '--type', 'date', '--count', '997', '2015-11-19');
    expect(date.stdout).toContain(`bucket ${16758 % 997} of 997`);
  });

  it('exits 2 with the reason for a type or value it cannot bucket', async () => {
    const type = await flywheel('bucket-of', '--type', 'double', '1.5');
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/--type must be one of string, bigint, int/);
    const value = await flywheel('bucket-of', '--type', 'int', '3000000000');
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/not a valid int value: 3000000000/);
  });
});
