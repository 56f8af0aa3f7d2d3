import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/load.js';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, exitCodeFor } from '../../../src/cli/errors.js';
import { parsePositiveInt, parseRunArgs } from '../../../src/cli/options.js';
import { InvalidInputError, JobRunFailedError } from '../../../src/domain/errors.js';

function cliErrorOf(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

describe('parseRunArgs', () => {
  it('no flags: nothing overridden', () => {
    expect(parseRunArgs({})).toEqual({ snapshotDt: undefined, tables: undefined });
  });

  it('passes a valid snapshot and splits, trims and de-blanks the table list', () => {
    expect(parseRunArgs({ snapshot: '2024-02-29', tables: ' IBE_01 , MIACS_01,,addressable_ids ' })).toEqual({
      snapshotDt: '2024-02-29',
      tables: ['IBE_01', 'MIACS_01', 'addressable_ids'],
    });
  });

  it.each(['2026-02-30', '2026-13-01', '01-10-2026', '2026-10-1', 'latest', ''])('rejects --snapshot %j with exit code 2', (snapshot) => {
    const error = cliErrorOf(() => parseRunArgs({ snapshot }));
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.message).toBe(`--snapshot ${JSON.stringify(snapshot)}: must be a real calendar date YYYY-MM-DD`);
  });

  it.each(['IBE 01', 'IBE_01;DROP', '1abc', 'tablé', 'a"b', 'IBE-01'])('rejects a bad table name in --tables (%j)', (bad) => {
    const error = cliErrorOf(() => parseRunArgs({ tables: `IBE_01,${bad}` }));
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.message.startsWith(`--tables ${JSON.stringify(bad)}: `)).toBe(true); // names the offending value
  });

  it.each(['', ',', ' , ,'])('rejects an empty --tables list %j', (tables) => {
    const error = cliErrorOf(() => parseRunArgs({ tables }));
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.message).toBe('--tables: give at least one table name');
  });

  it('with both flags bad, the message starts with the first flag', () => {
    const error = cliErrorOf(() => parseRunArgs({ snapshot: '2026-02-30', tables: 'bad name' }));
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.message).toMatch(/^--snapshot "2026-02-30": /);
  });

  it('names every offending flag when both are bad', () => {
    const error = cliErrorOf(() => parseRunArgs({ snapshot: '2026-02-30', tables: 'bad name' }));
    expect(error.message).toBe(`--snapshot "2026-02-30": must be a real calendar date YYYY-MM-DD; --tables "bad name": table names are letters, digits and underscores, starting with a letter`);
  });
});

describe('parsePositiveInt', () => {
  it.each([['1', 1], ['42', 42], ['007', 7]])('parses %j', (value, expected) => {
    expect(parsePositiveInt('--concurrency', value)).toBe(expected);
  });

  it.each(['0', '-1', '1.5', 'abc', 'NaN', 'Infinity'])('rejects %j naming the flag, exit code 2', (value) => {
    const error = cliErrorOf(() => parsePositiveInt('--concurrency', value));
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.message).toContain('--concurrency');
    expect(error.message).toContain(JSON.stringify(value));
  });
});

describe('exitCodeFor', () => {
  it('documented codes', () => {
    expect([EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT]).toEqual([0, 1, 2]);
  });

  it('bad input and config errors → 2', () => {
    expect(exitCodeFor(new CliError('x', EXIT_BAD_INPUT))).toBe(2);
    expect(exitCodeFor(new ConfigError('x'))).toBe(2);
    expect(exitCodeFor(new InvalidInputError('x'))).toBe(2);
  });

  it('a CliError carries its own code', () => {
    expect(exitCodeFor(new CliError('x', 7))).toBe(7);
  });

  it('anything else → 1', () => {
    expect(exitCodeFor(new JobRunFailedError('x'))).toBe(1);
    expect(exitCodeFor(new Error('x'))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
    expect(exitCodeFor(undefined)).toBe(1);
  });
});
