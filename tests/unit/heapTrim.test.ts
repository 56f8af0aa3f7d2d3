import { describe, expect, it } from 'vitest';
import { startHeapTrim } from '../../src/tools/heapTrim.js';

const MB = 1024 ** 2;

describe('startHeapTrim', () => {
  it('collects once the heap has grown by growthMb past the last live size, not before', async () => {
    let heap = 40 * MB;
    const collected: number[] = [];
    const trim = startHeapTrim({ everyMs: 5, growthMb: 24, heapUsed: () => heap, gc: () => collected.push((heap = 45 * MB)) });
    try {
      heap = 60 * MB; // +20 MB: below the threshold
      await new Promise((r) => setTimeout(r, 40));
      expect(collected).toEqual([]);
      heap = 64 * MB; // +24 MB: collect; live is now 45 MB
      for (let i = 0; i < 100 && collected.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(trim.collections()).toBe(1);
      heap = 68 * MB; // +23 MB past the new live size
      await new Promise((r) => setTimeout(r, 40));
      expect(trim.collections()).toBe(1);
    } finally {
      trim.stop();
    }
  });

  it('does nothing without an exposed gc', () => {
    const trim = startHeapTrim({ gc: undefined, heapUsed: () => 0 });
    expect(trim.collections()).toBe(0);
    trim.stop();
  });
});

describe('trimHeapIfGrown', () => {
  it('runs the running trim’s check at once (between pages of big work), nothing without one', async () => {
    const { trimHeapIfGrown } = await import('../../src/tools/heapTrim.js');
    trimHeapIfGrown(); // no trim running: nothing happens
    let heap = 40 * MB;
    const collected: number[] = [];
    const trim = startHeapTrim({ everyMs: 60_000, growthMb: 24, heapUsed: () => heap, gc: () => collected.push((heap = 41 * MB)) });
    try {
      heap = 50 * MB;
      trimHeapIfGrown();
      expect(collected).toEqual([]);
      heap = 70 * MB;
      trimHeapIfGrown();
      expect(trim.collections()).toBe(1);
    } finally {
      trim.stop();
    }
    heap = 200 * MB;
    trimHeapIfGrown();
    expect(collected).toHaveLength(1);
  });
});
