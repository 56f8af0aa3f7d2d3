import { z } from 'zod';
import type { BaselineProfile } from './qualityProfile.js';

/**
 * The baseline lives in the catalog, as table properties of each published snapshot table
 * (`<table>_bucketed_<yyyymmdd>`: Glue table Parameters on AWS, the catalog's `flywheel_table_properties`
 * locally), so every worker on every machine reads the same one.
 */
export const QUALITY_PARAMETER_PREFIX = 'flywheel.quality.';
const KEYS = {
  version: `${QUALITY_PARAMETER_PREFIX}version`,
  snapshotDt: `${QUALITY_PARAMETER_PREFIX}snapshot_dt`,
  rows: `${QUALITY_PARAMETER_PREFIX}rows`,
  columns: `${QUALITY_PARAMETER_PREFIX}columns`,
} as const;

const Columns = z.array(z.tuple([z.string().min(1).max(255), z.string().min(1).max(2000)])).max(10_000);

/** The properties recording `profile` as published. */
export function profileParameters(profile: BaselineProfile): Record<string, string> {
  return {
    [KEYS.version]: '1',
    [KEYS.snapshotDt]: profile.snapshotDt,
    [KEYS.rows]: String(Math.trunc(profile.rows)),
    [KEYS.columns]: JSON.stringify(profile.columns.map((c) => [c.name, c.type])),
  };
}

/** The profile recorded in a table's properties; undefined when there is none or it cannot be read. */
export function profileFromParameters(parameters: Readonly<Record<string, string | undefined>> | undefined): BaselineProfile | undefined {
  if (!parameters || parameters[KEYS.version] !== '1') return undefined;
  const snapshotDt = parameters[KEYS.snapshotDt];
  const rows = Number(parameters[KEYS.rows]);
  if (!snapshotDt || !/^\d{4}-\d{2}-\d{2}$/.test(snapshotDt) || !Number.isSafeInteger(rows) || rows < 0) return undefined;
  let columns: z.infer<typeof Columns>;
  try {
    const parsed = Columns.safeParse(JSON.parse(parameters[KEYS.columns] ?? ''));
    if (!parsed.success) return undefined;
    columns = parsed.data;
  } catch {
    return undefined;
  }
  return { snapshotDt, rows, columns: columns.map(([name, type]) => ({ name, type })) };
}

/** The baseline for `snapshotDt`: the newest recorded profile of an earlier snapshot (a rerun never compares with itself). */
export function pickBaseline(
  candidates: readonly { parameters?: Readonly<Record<string, string | undefined>> }[],
  snapshotDt: string,
): BaselineProfile | undefined {
  return candidates
    .map((c) => profileFromParameters(c.parameters))
    .filter((p): p is BaselineProfile => p !== undefined && p.snapshotDt < snapshotDt)
    .sort((a, b) => b.snapshotDt.localeCompare(a.snapshotDt))[0];
}
