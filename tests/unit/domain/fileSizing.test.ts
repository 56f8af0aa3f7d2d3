import { describe, expect, it } from 'vitest';
import { DEFAULT_FILE_SIZING, outputFileCount } from '../../../src/domain/fileSizing.js';

const GiB = 1024 ** 3;

describe('outputFileCount (default rule: 2 files per GiB, min 1, max 256)', () => {
  it('the default rule is 2 per GiB clamped to [1, 256]', () => {
    expect(DEFAULT_FILE_SIZING).toEqual({ filesPerGb: 2, minFiles: 1, maxFiles: 256 });
  });

  it.each([
    ['0 B (empty table still gets the minimum)', 0, 1],
    ['1 B', 1, 1],
    ['half a GiB exactly', GiB / 2, 1],
    ['half a GiB + 1 B (rounds up)', GiB / 2 + 1, 2],
    ['exactly 1 GiB', GiB, 2],
    ['1 GiB + 1 B', GiB + 1, 3],
    ['3 GiB', 3 * GiB, 6],
    ['10.25 GiB', 10.25 * GiB, 21],
    ['127.5 GiB + 1 B', 127.5 * GiB + 1, 256],
    ['128 GiB (exactly the maximum)', 128 * GiB, 256],
    ['128 GiB + 1 B (clamped)', 128 * GiB + 1, 256],
    ['200 GiB (clamped)', 200 * GiB, 256],
    ['10 TiB (clamped)', 10 * 1024 * GiB, 256],
  ])('%s → %i', (_label, bytes, files) => {
    expect(outputFileCount(bytes)).toBe(files);
  });

  it('uses binary GiB (2^30 bytes), not decimal GB', () => {
    // 1.07e9 B = 0.9965 GiB → 1.993 → 2 files (decimal GB would give 2.14 → 3)
    expect(outputFileCount(1.07e9)).toBe(2);
    // 1.1e9 B = 1.0245 GiB → 2.049 → 3 files
    expect(outputFileCount(1.1e9)).toBe(3);
  });

  it.each([-1, -GiB, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('throws RangeError for %d', (bytes) => {
    expect(() => outputFileCount(bytes)).toThrow(RangeError);
  });

  it('is monotonic in size', () => {
    let previous = 0;
    for (let bytes = 0; bytes <= 130 * GiB; bytes += 0.37 * GiB) {
      const files = outputFileCount(bytes);
      expect(files).toBeGreaterThanOrEqual(previous);
      previous = files;
    }
  });
});

describe('outputFileCount with a custom rule', () => {
  const rule = { filesPerGb: 4, minFiles: 8, maxFiles: 20 };

  it('applies the custom minimum', () => {
    expect(outputFileCount(0, rule)).toBe(8);
    expect(outputFileCount(2 * GiB, rule)).toBe(8);
  });

  it('scales with filesPerGb between the bounds', () => {
    expect(outputFileCount(2.25 * GiB, rule)).toBe(9);
    expect(outputFileCount(5 * GiB, rule)).toBe(20);
  });

  it('applies the custom maximum', () => {
    expect(outputFileCount(5 * GiB + 1, rule)).toBe(20);
    expect(outputFileCount(100 * GiB, rule)).toBe(20);
  });

  it('supports fractional files per GiB', () => {
    expect(outputFileCount(3 * GiB, { filesPerGb: 0.5, minFiles: 1, maxFiles: 100 })).toBe(2);
  });
});
