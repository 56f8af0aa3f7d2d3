import { describe, expect, it } from 'vitest';
import { firstPassHistoryIsLong, firstPassHistoryIsLongV1, parkedHistoryIsLong } from '../../../src/workflows/historyBudget.js';

const MB = 1_000_000;

describe('first pass history budget', () => {
  it('counts the bytes the run added since its first pass began, not the reload before it', () => {
    // A continued run of 5,000 tables: 4.75 MB of reloaded reports before its first batch.
    const startedAt = 4.75 * MB;
    expect(firstPassHistoryIsLong({ historySize: 4.8 * MB, continueAsNewSuggested: true }, startedAt, 4 * MB)).toBe(false);
    expect(firstPassHistoryIsLong({ historySize: 8.74 * MB, continueAsNewSuggested: true }, startedAt, 4 * MB)).toBe(false);
    expect(firstPassHistoryIsLong({ historySize: 8.75 * MB, continueAsNewSuggested: false }, startedAt, 4 * MB)).toBe(true);
  });

  it('is the plain history size for a first run (nothing reloaded)', () => {
    expect(firstPassHistoryIsLong({ historySize: 3.99 * MB, continueAsNewSuggested: false }, 0, 4 * MB)).toBe(false);
    expect(firstPassHistoryIsLong({ historySize: 4 * MB, continueAsNewSuggested: false }, 0, 4 * MB)).toBe(true);
  });

  it('keeps the rule old histories were recorded with: the whole size, or the server suggestion', () => {
    expect(firstPassHistoryIsLongV1({ historySize: 4.8 * MB, continueAsNewSuggested: false }, 4 * MB)).toBe(true);
    expect(firstPassHistoryIsLongV1({ historySize: 1 * MB, continueAsNewSuggested: true }, 4 * MB)).toBe(true);
    expect(firstPassHistoryIsLongV1({ historySize: 1 * MB, continueAsNewSuggested: false }, 4 * MB)).toBe(false);
  });

  it('parks without continuing as new right after a reload that alone passes the server suggestion', () => {
    const limits = { events: 5000, bytes: 4 * MB };
    const readyAt = { size: 4.9 * MB, length: 160 }; // a continued run of 5,000 tables, reports reloaded
    expect(parkedHistoryIsLong({ historySize: 5 * MB, historyLength: 200, continueAsNewSuggested: true }, readyAt, limits)).toBe(false);
    // Grown enough since: by events (signals) or by bytes (reprocess passes).
    expect(parkedHistoryIsLong({ historySize: 5 * MB, historyLength: 5160, continueAsNewSuggested: false }, readyAt, limits)).toBe(true);
    expect(parkedHistoryIsLong({ historySize: 8.9 * MB, historyLength: 400, continueAsNewSuggested: false }, readyAt, limits)).toBe(true);
    // A first run counts from its start.
    expect(parkedHistoryIsLong({ historySize: 1 * MB, historyLength: 5000, continueAsNewSuggested: false }, { size: 0, length: 0 }, limits)).toBe(true);
  });
});

