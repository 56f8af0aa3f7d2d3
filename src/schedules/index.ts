export { applySchedules, type AppliedSchedule } from './apply.js';
export { listSchedules, type ScheduleListing } from './list.js';
export { describeEntry, scheduleDefinitions, type ScheduleDefinition, type ScheduleEntry, type ScheduleKind } from './definitions.js';
