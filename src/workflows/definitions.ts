import { defineQuery } from '@temporalio/workflow';
import type { RefreshStatus } from './refreshTracker.js';

/** Query `status`: per-table stage, state, attempts and last error (see README "Interfaces"). */
export const statusQuery = defineQuery<RefreshStatus>('status');
