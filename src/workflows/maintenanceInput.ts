import { z } from 'zod';
import { ENVIRONMENT_PATTERN } from '../domain/identifiers.js';
import type { MaintainTableResult } from '../ports/deltaMaintenance.js';
import { tableNameSchema } from './input.js';

/** Delta's own VACUUM safety default: shorter retention can break readers and time travel. */
export const MIN_RETAIN_HOURS = 168;

export const DeltaMaintenanceInputSchema = z
  .object({
    environment: z.string().regex(ENVIRONMENT_PATTERN, 'must be a lower-case environment name such as "local" or "prod"'),
    retainHours: z.number().int('must be a whole number of hours').min(0).max(24 * 365 * 10).optional(),
    tables: z.array(tableNameSchema).min(1).max(500).optional(),
  })
  .strict();

export type DeltaMaintenanceInput = z.infer<typeof DeltaMaintenanceInputSchema>;

/**
 * What one table's OPTIMIZE + VACUUM did: the job's figures when it ran (see MaintainTableResult), only
 * `error` when it failed or was refused before any job started.
 */
export type TableMaintenanceReport = Partial<Omit<MaintainTableResult, 'notes'>> & {
  table: string;
  state: 'succeeded' | 'failed';
  notes: string[];
  error?: string;
};

export interface MaintenanceReport {
  workflowId: string;
  environment: string;
  retainHours: number;
  /** The workflow's start (ISO, replay-stable). VACUUM measures the retention on the engine's clock when it runs. */
  asOf: string;
  /** `running` only in the UI's current details while tables are still being maintained. */
  status: 'running' | 'succeeded' | 'failed';
  tables: TableMaintenanceReport[];
}

// The OPTIMIZE … WHERE grammar lives in domain/ (the planner and both backends use it).
export { parseWhere, whereSql, type ComparisonOp, type WhereCondition } from '../domain/maintenanceWhere.js';
