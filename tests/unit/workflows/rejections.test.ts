import { describe, expect, it } from 'vitest';
import { clip, describeValue, listSome } from '../../../src/domain/summarize.js';
import { isUndecodable, payloadConverter } from '../../../src/workflows/payloadConverter.js';
import { REJECTION_REASON_MAX, REJECTIONS_KEPT, RejectionLog, unknownSignalReason } from '../../../src/workflows/rejections.js';
import { parseAbandonReason, parseReprocessRequest, resolveReprocess } from '../../../src/workflows/reprocessRequests.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const rejection = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
};

describe('bounded text', () => {
  it('clips long text and says how long it was', () => {
    expect(clip('short', 10)).toBe('short');
    const cut = clip('x'.repeat(70_000), 100);
    expect(cut).toHaveLength(100);
    expect(cut).toMatch(/… \(70,000 chars\)$/);
  });

  it('lists some names and counts the rest', () => {
    expect(listSome(['A', 'B'])).toBe('A, B');
    expect(listSome(Array.from({ length: 5000 }, (_, i) => `NOPE_${i}`), 3)).toBe('NOPE_0, NOPE_1, NOPE_2 and 4,997 more');
  });

  it('describes a value by its shape, never its content', () => {
    expect(describeValue({ tables: Array(5000).fill('x'), secret: 'hunter2' })).toBe('object {tables: array(5,000), secret: string (7 chars)}');
    expect(describeValue(new Uint8Array(3))).toBe('binary (3 bytes)');
    expect(describeValue('abc')).toBe('string (3 chars)');
  });
});

describe('tolerant payload converter', () => {
  it('decodes JSON, binary and undefined as the default converter does', () => {
    expect(payloadConverter.fromPayload(payloadConverter.toPayload({ tables: ['A'] }))).toEqual({ tables: ['A'] });
    expect(payloadConverter.fromPayload({ metadata: { encoding: bytes('binary/null') } })).toBeUndefined();
  });

  it.each([
    ['an unknown encoding', { metadata: { encoding: bytes('application/x-bogus') }, data: bytes('"abc"') }, /Unknown encoding/],
    ['bad JSON', { metadata: { encoding: bytes('json/plain') }, data: bytes('{"tables": [') }, /JSON/],
    ['no metadata', { data: new Uint8Array([0xff, 0x00, 0x13]) }, /metadata/],
  ])('turns %s into a marker instead of throwing', (_what, payload, error) => {
    const value = payloadConverter.fromPayload(payload);
    expect(isUndecodable(value)).toBe(true);
    if (isUndecodable(value)) expect(value.flywheelUndecodablePayload.error).toMatch(error);
  });

  it('makes an undecodable signal a clear rejection', () => {
    const value = payloadConverter.fromPayload({ metadata: { encoding: bytes('application/x-bogus') }, data: bytes('"abc"') });
    expect(rejection(() => parseReprocessRequest(value))).toBe(
      'undecodable reprocess payload (encoding application/x-bogus, 5 bytes): Unknown encoding: application/x-bogus; send JSON',
    );
    expect(rejection(() => parseAbandonReason(value))).toMatch(/^undecodable abandon payload/);
  });

  it('rejects binary payloads as malformed', () => {
    expect(rejection(() => parseReprocessRequest(new Uint8Array(10)))).toMatch(/^malformed reprocess payload \(binary \(10 bytes\)\)/);
  });
});

describe('rejection reasons stay short whatever arrives', () => {
  const run = { snapshotDt: '2026-10-01', tables: [{ name: 'IBE_01', kind: 'infobase' as const, sourceBytes: 1, sourceFiles: 1, stagedFileCount: 1, sourceLocation: '/x' }], reports: [] };

  it('summarises 5,000 unknown tables', () => {
    const tables = Array.from({ length: 5000 }, (_, i) => `NOPE_${i}`);
    const reason = rejection(() => resolveReprocess(parseReprocessRequest({ tables }), run));
    expect(reason).toBe('unknown table(s) NOPE_0, NOPE_1, NOPE_2, NOPE_3, NOPE_4 and 4,995 more; this run has 1 table(s): IBE_01');
  });

  it('summarises 5,000 malformed names and a huge unknown key', () => {
    const reason = rejection(() => parseReprocessRequest({ tables: Array(5000).fill('x;drop'), ['k'.repeat(100_000)]: 1 }));
    expect(reason.length).toBeLessThan(REJECTION_REASON_MAX + 200);
    expect(reason).toMatch(/more problem\(s\)$/);
  });

  it('keeps the newest rejections and counts them all', () => {
    const log = new RejectionLog();
    for (let i = 0; i < 1000; i++) log.record('reprocess', `reason ${i} ${'x'.repeat(10_000)}`);
    expect(log.total).toBe(1000);
    expect(log.list()).toHaveLength(REJECTIONS_KEPT);
    expect(log.list()[REJECTIONS_KEPT - 1]!.reason).toMatch(/^reason 999 /);
    expect(Math.max(...log.list().map((r) => r.reason.length))).toBe(REJECTION_REASON_MAX);
    expect(JSON.stringify(log.list()).length).toBeLessThan(10_000);
  });

  it('answers an unknown signal name with the names it takes', () => {
    expect(unknownSignalReason('reprocesss')).toMatch(/^unknown signal "reprocesss" \(did you mean "reprocess"\?\)/);
    expect(unknownSignalReason('Reprocess')).toMatch(/did you mean "reprocess"/);
    expect(unknownSignalReason('cancel')).toMatch(/to end a waiting run, send "abandon"/);
    expect(unknownSignalReason('x'.repeat(5000)).length).toBeLessThan(250);
  });
});
