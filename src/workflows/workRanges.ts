import type { Stage } from '../domain/tables.js';

/** Work carried into a continued run: `[stage, from, to)` over the plan's table list (indices). */
export type WorkRange = [stage: Stage, from: number, to: number];

/**
 * The work left, as ranges of the plan's table indices per stage: a first pass takes batches in plan order, so
 * what is left is usually one range (a few bytes) where the table names cost ~25 B each (125 KB of a 5,000-table
 * continue-as-new input that must stay under 256 KB). Tables not in the plan are dropped.
 */
export function toWorkRanges(work: ReadonlyMap<string, Stage>, tables: readonly string[]): WorkRange[] {
  const ranges: WorkRange[] = [];
  tables.forEach((name, index) => {
    const stage = work.get(name);
    if (stage === undefined) return;
    const last = ranges.at(-1);
    if (last && last[0] === stage && last[2] === index) last[2] = index + 1;
    else ranges.push([stage, index, index + 1]);
  });
  return ranges;
}

/** The work back from ranges; indices outside the plan are ignored (a continued run must not fail on them). */
export function fromWorkRanges(ranges: readonly WorkRange[], tables: readonly string[]): Map<string, Stage> {
  const work = new Map<string, Stage>();
  for (const [stage, from, to] of ranges) {
    for (let i = Math.max(0, from); i < Math.min(to, tables.length); i++) work.set(tables[i]!, stage);
  }
  return work;
}
