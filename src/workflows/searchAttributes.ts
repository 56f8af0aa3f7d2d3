import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes, so the Web UI can filter runs by environment, snapshot and outcome. */
export const FlywheelEnvironment = defineSearchAttributeKey('FlywheelEnvironment', SearchAttributeType.KEYWORD);
export const FlywheelSnapshotDt = defineSearchAttributeKey('FlywheelSnapshotDt', SearchAttributeType.KEYWORD);
export const FlywheelStatus = defineSearchAttributeKey('FlywheelStatus', SearchAttributeType.KEYWORD);
/** Tables that have failed and not (yet) been reprocessed: `FlywheelFailedTables = "MIACS_01"` finds the runs. */
export const FlywheelFailedTables = defineSearchAttributeKey('FlywheelFailedTables', SearchAttributeType.KEYWORD_LIST);

/** Name → type, as `temporal server start-dev --search-attribute Name=Type` and the operator API want them. */
export const FLYWHEEL_SEARCH_ATTRIBUTES = {
  FlywheelEnvironment: 'Keyword',
  FlywheelSnapshotDt: 'Keyword',
  FlywheelStatus: 'Keyword',
  FlywheelFailedTables: 'KeywordList',
} as const;

/**
 * The failed tables as a search attribute value: names in plan order, as many as fit in ~1.5 KB
 * (Temporal limits one search attribute value to 2 KB by default).
 */
export function failedTablesValue(names: readonly string[]): string[] {
  const value: string[] = [];
  let size = 0;
  for (const name of names) {
    size += name.length + 3;
    if (size > 1500) break;
    value.push(name);
  }
  return value;
}
