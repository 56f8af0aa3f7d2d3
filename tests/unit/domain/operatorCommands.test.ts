import { describe, expect, it } from 'vitest';
import { nextCommands } from '../../../src/domain/operatorCommands.js';

describe('nextCommands', () => {
  it('offers approve (CLI, update, signal) for held tables, then reprocess of held and failed ones, then abandon', () => {
    const commands = nextCommands({ workflowId: 'wf', snapshotDt: '2026-10-01', failedTables: ['MIACS_01'], awaitingApproval: ['IBE_02', 'IBE_04'] });
    expect(commands).toEqual([
      'npx flywheel approve --snapshot 2026-10-01 --tables IBE_02,IBE_04 --reason "…why this is fine…"',
      `temporal workflow update execute --workflow-id wf --name approve --input '{"tables":["IBE_02","IBE_04"],"reason":"…why this is fine…"}'`,
      `temporal workflow signal --workflow-id wf --name approve --input '{"tables":["IBE_02","IBE_04"],"reason":"…why this is fine…"}'`,
      'npx flywheel reprocess --snapshot 2026-10-01 --tables MIACS_01,IBE_02,IBE_04',
      `temporal workflow update execute --workflow-id wf --name reprocess --input '{"tables":["MIACS_01","IBE_02","IBE_04"]}'`,
      `temporal workflow signal --workflow-id wf --name reprocess --input '{"tables":["MIACS_01","IBE_02","IBE_04"]}'`,
      `temporal workflow signal --workflow-id wf --name abandon --input '{"reason":"…"}'`,
    ]);
  });

  it('is unchanged for failed tables only', () => {
    expect(nextCommands({ workflowId: 'wf', failedTables: ['MIACS_01'] })[0]).toBe('npx flywheel reprocess --workflow-id wf --tables MIACS_01');
  });

  it('names at most 20 held tables', () => {
    const held = Array.from({ length: 25 }, (_, i) => `T_${i}`);
    const [cli] = nextCommands({ workflowId: 'wf', failedTables: [], awaitingApproval: held });
    expect(cli).toContain('--tables T_0,T_1');
    expect(cli).not.toContain('T_20');
  });
});
