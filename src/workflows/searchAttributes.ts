import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes, so the Web UI can filter runs by environment, snapshot and outcome. */
export const FlywheelEnvironment = defineSearchAttributeKey('FlywheelEnvironment', SearchAttributeType.KEYWORD);
export const FlywheelSnapshotDt = defineSearchAttributeKey('FlywheelSnapshotDt', SearchAttributeType.KEYWORD);
export const FlywheelStatus = defineSearchAttributeKey('FlywheelStatus', SearchAttributeType.KEYWORD);

/** Name → type, as `temporal server start-dev --search-attribute Name=Type` and the operator API want them. */
export const FLYWHEEL_SEARCH_ATTRIBUTES = {
  FlywheelEnvironment: 'Keyword',
  FlywheelSnapshotDt: 'Keyword',
  FlywheelStatus: 'Keyword',
} as const;
