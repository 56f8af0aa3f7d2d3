import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STAGED_PATH_TEMPLATE,
  renderStagedPath,
  stagedPathTemplateProblems,
  stagedTableRootPath,
} from '../../../src/domain/stagedLayout.js';

describe('staged path template', () => {
  it('the default is where the existing jobs write: <TABLE>/snapshot_dt=<dt>/', () => {
    expect(stagedPathTemplateProblems(DEFAULT_STAGED_PATH_TEMPLATE)).toEqual([]);
    expect(renderStagedPath(DEFAULT_STAGED_PATH_TEMPLATE, 'IBE_01', '2026-10-01')).toBe('IBE_01/snapshot_dt=2026-10-01/');
    expect(stagedTableRootPath(DEFAULT_STAGED_PATH_TEMPLATE, 'IBE_01')).toBe('IBE_01/');
  });

  it('renders every placeholder; the table root stops at the first dated segment', () => {
    const template = 'v2/{tableLower}/dt={snapshotDtCompact}/{table}/';
    expect(stagedPathTemplateProblems(template)).toEqual([]);
    expect(renderStagedPath(template, 'MIACS_01', '2026-01-31')).toBe('v2/miacs_01/dt=20260131/MIACS_01/');
    expect(stagedTableRootPath(template, 'MIACS_01')).toBe('v2/miacs_01/');
    // Snapshot first: the tables share the root (partition locations stay per table and snapshot).
    expect(stagedTableRootPath('{snapshotDt}/{table}/', 'IBE_01')).toBe('');
  });

  it('refuses a bad snapshot date when rendering', () => {
    expect(() => renderStagedPath(DEFAULT_STAGED_PATH_TEMPLATE, 'IBE_01', '2026-02-30')).toThrow(/real calendar date/);
  });

  it.each([
    ['{table}/snapshot_dt={snapshotDt}', /end with "\/"/],
    ['/{table}/{snapshotDt}/', /relative/],
    ['{table}//{snapshotDt}/', /empty segments/],
    ['{table}/../{snapshotDt}/', /"\.\."/],
    ['{table}/{date}/', /unknown placeholder\(s\) \{date\}.*\{snapshotDt\}/],
    ['{table}/snap shot={snapshotDt}/', /letters, digits/],
    ['{table}/snapshot;{snapshotDt}/', /letters, digits/],
    ['all/snapshot_dt={snapshotDt}/', /must contain \{table\} or \{tableLower\}/],
    ['{table}/latest/', /must contain \{snapshotDt\} or \{snapshotDtCompact\}/],
  ])('rejects %j', (template, problem) => {
    expect(stagedPathTemplateProblems(template).join('; ')).toMatch(problem);
  });
});
