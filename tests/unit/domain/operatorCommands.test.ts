import { describe, expect, it } from 'vitest';
import { nextCommands, wrapCommand } from '../../../src/domain/operatorCommands.js';
import { causeFirst } from '../../../src/domain/progress.js';

/** What bash runs: the continuation lines joined back together. */
const unwrap = (lines: string[]) => lines.map((l) => l.replace(/ \\$/, '').trim()).join(' ');

describe('wrapCommand', () => {
  const commands = nextCommands({ workflowId: 'flywheel-prod-refresh-2026-11-01', snapshotDt: '2026-11-01', failedTables: ['MIACS_01', 'IBE_02'] });

  it('keeps a short command on one line', () => {
    expect(wrapCommand('npx flywheel reprocess --snapshot 2026-11-01', 56)).toEqual(['npx flywheel reprocess --snapshot 2026-11-01']);
  });

  it('breaks before options with `\\` continuations, each line within the width, the command unchanged', () => {
    for (const command of commands) {
      const lines = wrapCommand(command, 56);
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(56);
      expect(unwrap(lines)).toBe(command);
      expect(lines.slice(0, -1).every((l) => l.endsWith(' \\'))).toBe(true);
      expect(lines.slice(1).every((l) => l.startsWith('  --'))).toBe(true);
    }
    expect(wrapCommand(commands[1]!, 56)).toEqual([
      'temporal workflow update execute \\',
      '  --workflow-id flywheel-prod-refresh-2026-11-01 \\',
      '  --name reprocess \\',
      `  --input '{"tables":["MIACS_01","IBE_02"]}'`,
    ]);
  });

  it('leaves a word longer than the width whole (never cuts an argument)', () => {
    const long = `--input '{"tables":[${Array.from({ length: 10 }, (_, i) => `"T${i}"`).join(',')}]}'`;
    const lines = wrapCommand(`temporal workflow signal --name reprocess ${long}`, 40);
    expect(unwrap(lines)).toBe(`temporal workflow signal --name reprocess ${long}`);
    expect(lines.at(-1)).toBe(`  '{"tables":[${Array.from({ length: 10 }, (_, i) => `"T${i}"`).join(',')}]}'`);
  });

  it('never breaks inside quotes', () => {
    const command = `temporal workflow signal --workflow-id flywheel-prod-refresh-2026-11-01 --name abandon --input '{"reason":"the vendor re-delivers it next month, after the audit"}'`;
    const lines = wrapCommand(command, 40);
    expect(unwrap(lines)).toBe(command);
    expect(lines.at(-1)).toBe(`  '{"reason":"the vendor re-delivers it next month, after the audit"}'`);
  });
});

describe('causeFirst', () => {
  it('moves long paths after the cause, once each, without the sentence punctuation', () => {
    const file = '/tmp/flywheel-ui/lake/omc-flywheel-data-local/opus/infobase_attributes/MIACS_01/snapshot_dt=2026-09-01/part-00000.parquet';
    const { cause, paths } = causeFirst(`table MIACS_01: source file ${file}: Invalid Input Error: No magic bytes found at end of file '${file}'.`);
    expect(cause).toBe("table MIACS_01: source file …/part-00000.parquet: Invalid Input Error: No magic bytes found at end of file '…/part-00000.parquet'.");
    expect(paths).toEqual([file]);
  });

  it('keeps short paths in place', () => {
    expect(causeFirst('cannot read /a/b.txt')).toEqual({ cause: 'cannot read /a/b.txt', paths: [] });
  });
});

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
