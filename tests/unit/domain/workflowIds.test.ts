import { describe, expect, it } from 'vitest';
import {
  deltaMaintenanceScheduleId,
  monthlyRefreshScheduleId,
  refreshWorkflowId,
} from '../../../src/domain/workflowIds.js';

describe('workflow and schedule ids', () => {
  it('names the environment and the snapshot', () => {
    expect(refreshWorkflowId('prod', '2026-11-01')).toBe('flywheel-prod-refresh-2026-11-01');
    expect(refreshWorkflowId('dev-2', '2024-02-29')).toBe('flywheel-dev-2-refresh-2024-02-29');
  });

  it('differs per environment and per snapshot', () => {
    expect(refreshWorkflowId('prod', '2026-11-01')).not.toBe(refreshWorkflowId('dev', '2026-11-01'));
    expect(refreshWorkflowId('prod', '2026-11-01')).not.toBe(refreshWorkflowId('prod', '2026-10-01'));
  });

  it.each(['', 'Prod', 'prod env', 'prod/../x', 'a'.repeat(33)])('rejects environment %j', (env) => {
    expect(() => refreshWorkflowId(env, '2026-11-01')).toThrow(/invalid environment/);
  });

  it.each(['2026-02-30', '2026-11', ''])('rejects snapshot %j', (dt) => {
    expect(() => refreshWorkflowId('prod', dt)).toThrow(/snapshot/);
  });

  it('schedule ids are per environment and distinct from each other', () => {
    expect(monthlyRefreshScheduleId('prod')).toBe('flywheel-prod-monthly-refresh');
    expect(deltaMaintenanceScheduleId('prod')).toBe('flywheel-prod-delta-maintenance');
    expect(monthlyRefreshScheduleId('prod')).not.toBe(deltaMaintenanceScheduleId('prod'));
  });
});
