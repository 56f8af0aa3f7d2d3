/** Lineage publishing: OpenLineage events (file / HTTP) and OpenMetadata, behind the LineagePublisher port. */
export { createLineagePublisher } from './createPublisher.js';
export { listLineage, publishPending } from './catchup.js';
export type { LineageEntry, PublishPendingOptions, PublishPendingResult } from './catchup.js';
export { resolveLineageConfig, LineageConfigSchema, LineageConfigError } from './config.js';
export type { ResolvedLineageConfig, LineageSettings } from './config.js';
export { buildRunEvents } from './openlineage/events.js';
export type { EventOptions } from './openlineage/events.js';
export type { RunEvent } from './openlineage/types.js';
