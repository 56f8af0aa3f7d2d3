import { describe, expect, it } from 'vitest';
import type { TableReport } from '../../../src/domain/report.js';
import { APPROVAL_REASON_MAX, parseApproveRequest, resolveApproval } from '../../../src/workflows/approvalRequests.js';
import { resolveReprocess } from '../../../src/workflows/reprocessRequests.js';

const report = (name: string, state: TableReport['state'], stage: TableReport['stage'] = 'check'): TableReport => ({
  name,
  kind: 'infobase',
  stage,
  state,
  attempts: 1,
});
const reports = [report('IBE_02', 'awaiting-approval'), report('IBE_04', 'awaiting-approval'), report('IBE_01', 'succeeded', 'validate'), report('MIACS_01', 'failed', 'split')];

describe('approve payloads', () => {
  it('takes tables and a reason (trimmed)', () => {
    expect(parseApproveRequest({ tables: ['IBE_04'], reason: '  vendor confirmed  ' })).toEqual({ tables: ['IBE_04'], reason: 'vendor confirmed' });
  });

  it.each([
    [undefined, /malformed approve payload \(nothing\): tables: /],
    [{ tables: ['IBE_04'] }, /reason: /],
    [{ tables: ['IBE_04'], reason: '   ' }, /reason: say why the table may be published/],
    [{ tables: [], reason: 'x' }, /tables: name the table\(s\) to approve/],
    [{ tables: 'IBE_04', reason: 'x' }, /tables: /],
    [{ tables: ['IBE 04'], reason: 'x' }, /tables\.0: table names are letters/],
    [{ tables: ['IBE_04'], reason: 'x', force: true }, /Unrecognized key/],
    [{ tables: ['IBE_04'], reason: 'x'.repeat(APPROVAL_REASON_MAX + 1) }, /reason: /],
    ['IBE_04', /malformed approve payload \(string \(6 chars\)\)/],
  ])('refuses %j with a bounded reason', (payload, message) => {
    let error: Error | undefined;
    try {
      parseApproveRequest(payload);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('RequestRejected');
    expect(error?.message).toMatch(message);
    expect(error!.message.length).toBeLessThan(500);
  });

  it('refuses an undecodable payload, saying what it was', () => {
    const undecodable = { flywheelUndecodablePayload: { encoding: 'application/x-bogus', bytes: 12, error: 'Unknown encoding' } };
    expect(() => parseApproveRequest(undecodable)).toThrow(/undecodable approve payload \(encoding application\/x-bogus, 12 bytes\)/);
  });
});

describe('resolveApproval', () => {
  it('names the held tables in the run’s spelling, each once', () => {
    expect(resolveApproval({ tables: ['ibe_04', 'IBE_02', 'IBE_04'], reason: 'ok' }, reports)).toEqual(['IBE_04', 'IBE_02']);
  });

  it('refuses unknown tables, listing the run’s', () => {
    expect(() => resolveApproval({ tables: ['NOPE_9'], reason: 'ok' }, reports)).toThrow(/unknown table\(s\) NOPE_9; this run has 4 table\(s\): IBE_02, IBE_04/);
  });

  it('refuses tables that are not held, saying what they are and which are held', () => {
    expect(() => resolveApproval({ tables: ['IBE_04', 'IBE_01', 'MIACS_01'], reason: 'ok' }, reports)).toThrow(
      'not awaiting approval: IBE_01 is succeeded, MIACS_01 is failed at split; awaiting approval: IBE_02, IBE_04',
    );
    expect(() => resolveApproval({ tables: ['IBE_01'], reason: 'ok' }, [report('IBE_01', 'succeeded')])).toThrow(
      /no table of this run is awaiting approval/,
    );
  });
});

describe('reprocess of a table held at the gate', () => {
  const run = { snapshotDt: '2026-10-01', tables: reports.map((r) => ({ name: r.name, kind: r.kind })), reports };
  it('restarts from split by default (the source was fixed)', () => {
    expect([...resolveReprocess({ tables: ['IBE_04'] }, run)]).toEqual([['IBE_04', 'split']]);
  });
  it('may restart from register, never past the gate', () => {
    expect([...resolveReprocess({ tables: ['IBE_04'], fromStage: 'register' }, run)]).toEqual([['IBE_04', 'register']]);
    expect(() => resolveReprocess({ tables: ['IBE_04'], fromStage: 'bucket' }, run)).toThrow(/IBE_04 is awaiting approval at the quality gate/);
  });
});
