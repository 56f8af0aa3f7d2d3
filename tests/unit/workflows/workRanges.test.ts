import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/domain/tables.js';
import { fromWorkRanges, toWorkRanges } from '../../../src/workflows/workRanges.js';

const tables = Array.from({ length: 5000 }, (_, i) => `T_${String(i).padStart(4, '0')}`);

describe('work ranges', () => {
  it('carries the tail of a first pass as one range and gets the same work back', () => {
    const work = new Map<string, Stage>(tables.slice(3000).map((t) => [t, 'split']));
    const ranges = toWorkRanges(work, tables);
    expect(ranges).toEqual([['split', 3000, 5000]]);
    expect(fromWorkRanges(ranges, tables)).toEqual(work);
    expect(JSON.stringify(ranges).length).toBeLessThan(30);
  });

  it('keeps stages and gaps apart, and drops tables not in the plan', () => {
    const work = new Map<string, Stage>([
      ['T_0001', 'split'],
      ['T_0002', 'split'],
      ['T_0003', 'register'],
      ['T_0005', 'register'],
      ['NOT_PLANNED', 'split'],
    ]);
    const ranges = toWorkRanges(work, tables);
    expect(ranges).toEqual([
      ['split', 1, 3],
      ['register', 3, 4],
      ['register', 5, 6],
    ]);
    const back = fromWorkRanges(ranges, tables);
    expect([...back.keys()].sort()).toEqual(['T_0001', 'T_0002', 'T_0003', 'T_0005']);
    expect(back.get('T_0003')).toBe('register');
  });

  it('ignores indices outside the plan', () => {
    expect([...fromWorkRanges([['split', -5, 2], ['bucket', 4998, 9000]], tables)]).toEqual([
      ['T_0000', 'split'],
      ['T_0001', 'split'],
      ['T_4998', 'bucket'],
      ['T_4999', 'bucket'],
    ]);
  });
});
