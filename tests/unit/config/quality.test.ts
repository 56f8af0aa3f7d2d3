import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { QualitySchema } from '../../../src/config/qualitySchema.js';

const base = { environment: 'test', backend: 'local', tables: { infobase: ['IBE_01'] }, catalog: { database: 'db' } };
const parse = (quality: unknown) => parseConfig({ ...base, quality }, 'test.yaml', {});

describe('quality config', () => {
  it('defaults: −20 %…+50 %, 5 % empty bucket keys, added allowed, removed/retyped fail; the shipped configs state exactly those', () => {
    expect(parseConfig(base, 'test.yaml', {}).quality).toEqual({
      enabled: true,
      onFailure: 'fail',
      rowChange: { minPercent: -20, maxPercent: 50 },
      bucketColumnMaxNullRate: 0.05,
      schemaDrift: { added: 'allow', removed: 'fail', retyped: 'fail' },
      bucketSkew: true,
      columns: {},
      tables: {},
    });
    for (const file of ['local', 'dev', 'prod']) {
      expect(loadConfig(path.resolve('config', `${file}.yaml`), {}).quality).toEqual(QualitySchema.parse({}));
    }
  });

  it('bad values fail with the field path and the reason', () => {
    expect(() => parse({ rowChange: { minPercent: 10 } })).toThrow(/quality\.rowChange\.minPercent/);
    expect(() => parse({ schemaDrift: { removed: 'ignore' } })).toThrow(/quality\.schemaDrift\.removed/);
    expect(() => parse({ tables: { IBE_04: { columns: { email: { minDistinct: 5, maxDistinct: 2 } } } } })).toThrow(/minDistinct must not exceed maxDistinct/);
    expect(() => parse({ columns: { 'bad-name': { maxNullRate: 0.1 } } })).toThrow(/quality\.columns/);
    expect(() => parse({ tables: { IBE_04: { rowChange: { minPercent: -30 }, typo: 1 } } })).toThrow(/typo/);
  });
});
