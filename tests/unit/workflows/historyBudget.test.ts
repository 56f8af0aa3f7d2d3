import { describe, expect, it } from 'vitest';
import { firstPassHistoryIsLong, firstPassHistoryIsLongV1 } from '../../../src/workflows/historyBudget.js';

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
});
