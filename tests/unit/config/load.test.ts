import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/config/home.js';
import { ConfigError, loadConfig, MAX_CONFIG_BYTES, parseConfig, parseConfigYaml, resolveConfigPath } from '../../../src/config/load.js';
import { taskQueueFor } from '../../../src/config/schema.js';

const LOCAL_YAML = path.join(PROJECT_ROOT, 'config', 'local.yaml');

/** A minimal valid document; each test breaks one thing in a copy. */
function validDoc(): Record<string, any> {
  return {
    environment: 'test',
    backend: 'local',
    tables: { mode: 'list', infobase: ['IBE_01'] },
    catalog: { database: 'flywheel_test' },
  };
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** The error names the source, the field path and (a recognisable part of) the reason. */
function expectInvalid(doc: unknown, fieldPath: string, reason: RegExp): ConfigError {
  const error = configErrorOf(() => parseConfig(doc, 'the-source.yaml', {}));
  expect(error.name).toBe('ConfigError');
  expect(error.message).toContain('the-source.yaml');
  const line = error.message.split('\n').find((l) => l.includes(`${fieldPath}:`));
  expect(line, `no line for ${fieldPath} in:\n${error.message}`).toBeDefined();
  expect(line).toMatch(reason);
  return error;
}

describe('config/local.yaml', () => {
  it('loads and has the documented shape', () => {
    const config = loadConfig(LOCAL_YAML, {});
    expect(config.environment).toBe('local');
    expect(config.backend).toBe('local');
    expect(config.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', taskQueue: 'flywheel-local' });
    expect(config.tables.mode).toBe('list');
    expect(config.tables.infobase.length).toBeGreaterThan(0);
    expect(config.tables.infobase).toContain('IBE_01');
    expect(config.fileSizing.minFiles).toBeLessThanOrEqual(config.fileSizing.maxFiles);
    expect(taskQueueFor(config)).toBe('flywheel-local');
  });

  it('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE override the file', () => {
    const config = loadConfig(LOCAL_YAML, { TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'prod-ns' });
    expect(config.temporal.address).toBe('temporal.example:7233');
    expect(config.temporal.namespace).toBe('prod-ns');
    expect(config.temporal.taskQueue).toBe('flywheel-local');
  });

  it('one override leaves the other value from the file', () => {
    const config = loadConfig(LOCAL_YAML, { TEMPORAL_NAMESPACE: 'other' });
    expect(config.temporal.address).toBe('localhost:7233');
    expect(config.temporal.namespace).toBe('other');
  });

  it('FLYWHEEL_CONFIG picks the file when no explicit path is given', () => {
    expect(loadConfig(undefined, { FLYWHEEL_CONFIG: LOCAL_YAML }).environment).toBe('local');
  });
});

describe('resolveConfigPath', () => {
  it('prefers the explicit path, then FLYWHEEL_CONFIG, then config/local.yaml', () => {
    expect(resolveConfigPath('/a/b.yaml', { FLYWHEEL_CONFIG: '/c/d.yaml' })).toBe('/a/b.yaml');
    expect(resolveConfigPath(undefined, { FLYWHEEL_CONFIG: '/c/d.yaml' })).toBe('/c/d.yaml');
    expect(resolveConfigPath(undefined, {})).toBe(path.resolve('config/local.yaml'));
  });
});

describe('parseConfig', () => {
  it('fills documented defaults for a minimal document', () => {
    const config = parseConfig(validDoc(), 'min', {});
    expect(config.temporal.address).toBe('localhost:7233');
    expect(config.temporal.namespace).toBe('default');
    expect(config.bucketing).toEqual({ column: 'customer_user_id', count: 256 });
    expect(config.fileSizing).toEqual({ filesPerGb: 2, maxFiles: 256, minFiles: 1 });
    expect(config.tables.addressable).toBe(true);
    expect(config.tables.exclude).toEqual([]);
    expect(taskQueueFor(config)).toBe('flywheel-test');
  });

  it('env overrides apply to defaults too; empty values do not override', () => {
    expect(parseConfig(validDoc(), 'min', { TEMPORAL_ADDRESS: 'h:1' }).temporal.address).toBe('h:1');
    const config = parseConfig(validDoc(), 'min', { TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' });
    expect(config.temporal.address).toBe('localhost:7233');
    expect(config.temporal.namespace).toBe('default');
  });

  it('FLYWHEEL_METRICS_ADDRESS overrides observability.metricsAddress; "off" turns metrics off; empty is unset', () => {
    const doc = { ...validDoc(), observability: { metricsAddress: '0.0.0.0:9464' } };
    expect(parseConfig(doc, 'm', {}).observability.metricsAddress).toBe('0.0.0.0:9464');
    expect(parseConfig(doc, 'm', { FLYWHEEL_METRICS_ADDRESS: '127.0.0.1:9500' }).observability.metricsAddress).toBe('127.0.0.1:9500');
    expect(parseConfig(validDoc(), 'm', { FLYWHEEL_METRICS_ADDRESS: '0.0.0.0:9100' }).observability.metricsAddress).toBe('0.0.0.0:9100');
    expect(parseConfig(doc, 'm', { FLYWHEEL_METRICS_ADDRESS: 'off' }).observability.metricsAddress).toBeUndefined();
    expect(parseConfig(doc, 'm', { FLYWHEEL_METRICS_ADDRESS: '' }).observability.metricsAddress).toBe('0.0.0.0:9464');
    // The rest of the section is the file's.
    expect(parseConfig(doc, 'm', { FLYWHEEL_METRICS_ADDRESS: 'off' }).observability.logFormat).toBe('pretty');
  });

  it.each(['9464', 'host:', 'a b:1', 'host:123456'])('rejects FLYWHEEL_METRICS_ADDRESS %j, naming the variable', (value) => {
    const error = configErrorOf(() => parseConfig(validDoc(), 'm', { FLYWHEEL_METRICS_ADDRESS: value }));
    expect(error.message).toContain('FLYWHEEL_METRICS_ADDRESS');
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toMatch(/host:port/);
  });

  it.each(['Prod', 'prod_env', '1prod', '', 'a'.repeat(33), 'prod env'])('rejects environment %j', (environment) => {
    expectInvalid({ ...validDoc(), environment }, 'environment', /lower case/);
  });

  it('rejects an unknown top-level key, naming the key', () => {
    const error = expectInvalid({ ...validDoc(), enviroment: 'typo' }, '(top level)', /enviroment/);
    expect(error.message).toMatch(/unknown key "enviroment"/);
  });

  it('names at most ten of many unknown keys, with the count, in linear time', () => {
    const doc: Record<string, unknown> = validDoc();
    for (let i = 0; i < 40_000; i += 1) doc[`unknown_key_${i}`] = i;
    const error = expectInvalid(doc, '(top level)', /unknown keys "unknown_key_0", .*"unknown_key_9", … \(40,000 unknown keys in all\)/);
    expect(error.message.length).toBeLessThan(500);
  });

  it('rejects an unknown key inside a section, naming section and key', () => {
    expectInvalid({ ...validDoc(), bucketing: { count: 4, colum: 'x' } }, 'bucketing', /colum/);
    expectInvalid({ ...validDoc(), layout: { infobasePrefx: 'a/' } }, 'layout', /infobasePrefx/);
  });

  it.each(['opus/../secret/', '../opus/', 'a/b/../', '../'])('rejects prefix %j containing ".."', (prefix) => {
    expectInvalid({ ...validDoc(), layout: { infobasePrefix: prefix } }, 'layout.infobasePrefix', /\.\./);
  });

  it.each(['/abs/path/', 'no-trailing-slash', 'a//b/', 'a b/', 'a;b/', ''])('rejects malformed prefix %j', (prefix) => {
    expectInvalid({ ...validDoc(), layout: { stagedPrefix: prefix } }, 'layout.stagedPrefix', /relative path/);
  });

  it('layout.stagedPathTemplate defaults to the jobs\' layout; a bad one names the field and every problem', () => {
    expect(parseConfig(validDoc(), 's', {}).layout.stagedPathTemplate).toBe('{table}/snapshot_dt={snapshotDt}/');
    expect(parseConfig({ ...validDoc(), layout: { stagedPathTemplate: '{snapshotDtCompact}/{tableLower}/' } }, 's', {}).layout.stagedPathTemplate).toBe(
      '{snapshotDtCompact}/{tableLower}/',
    );
    const error = expectInvalid({ ...validDoc(), layout: { stagedPathTemplate: 'all/{date}' } }, 'layout.stagedPathTemplate', /end with "\/"/);
    expect(error.message).toMatch(/layout\.stagedPathTemplate: unknown placeholder\(s\) \{date\}/);
    expect(error.message).toMatch(/layout\.stagedPathTemplate: must contain \{table\} or \{tableLower\}/);
  });

  it('accepts prefixes with dots, dashes and = (but not "..")', () => {
    const config = parseConfig({ ...validDoc(), layout: { infobasePrefix: 'opus/v1.2/x=y-z/' } }, 's', {});
    expect(config.layout.infobasePrefix).toBe('opus/v1.2/x=y-z/');
  });

  it.each([0, -1, 1.5, 1025])('rejects bucket count %d', (count) => {
    expectInvalid({ ...validDoc(), bucketing: { count } }, 'bucketing.count', /./);
  });

  it('accepts bucket counts 1 and 1024', () => {
    expect(parseConfig({ ...validDoc(), bucketing: { count: 1 } }, 's', {}).bucketing.count).toBe(1);
    expect(parseConfig({ ...validDoc(), bucketing: { count: 1024 } }, 's', {}).bucketing.count).toBe(1024);
  });

  it('validation: bucket skew warns above 1.5 by default; the limit and the action are configurable', () => {
    expect(parseConfig(validDoc(), 's', {}).validation).toEqual({ maxBucketSkew: 1.5, onBucketSkew: 'warn', bucketSkewMinMedianRows: 50 });
    expect(parseConfig({ ...validDoc(), validation: { maxBucketSkew: 3, onBucketSkew: 'fail' } }, 's', {}).validation).toMatchObject({ maxBucketSkew: 3, onBucketSkew: 'fail' });
    expectInvalid({ ...validDoc(), validation: { maxBucketSkew: 0.5 } }, 'validation.maxBucketSkew', />=1|too small/i);
    expectInvalid({ ...validDoc(), validation: { onBucketSkew: 'ignore' } }, 'validation.onBucketSkew', /warn|fail/);
  });

  it('rejects minFiles greater than maxFiles', () => {
    expectInvalid({ ...validDoc(), fileSizing: { minFiles: 10, maxFiles: 5 } }, 'fileSizing.minFiles', /minFiles must not exceed maxFiles/);
  });

  it('accepts minFiles equal to maxFiles', () => {
    const config = parseConfig({ ...validDoc(), fileSizing: { minFiles: 8, maxFiles: 8 } }, 's', {});
    expect(config.fileSizing).toMatchObject({ minFiles: 8, maxFiles: 8 });
  });

  it('rejects list mode with no tables', () => {
    expectInvalid({ ...validDoc(), tables: { mode: 'list', infobase: [] } }, 'tables.infobase', /at least one infobase table/);
    expectInvalid({ ...validDoc(), tables: {} }, 'tables.infobase', /at least one infobase table/);
  });

  it('accepts discover mode with no tables listed', () => {
    const config = parseConfig({ ...validDoc(), tables: { mode: 'discover', exclude: ['IBE_99'] } }, 's', {});
    expect(config.tables).toMatchObject({ mode: 'discover', infobase: [], exclude: ['IBE_99'] });
  });

  it('rejects a bad table name, naming its index', () => {
    expectInvalid({ ...validDoc(), tables: { infobase: ['IBE_01', 'IBE 02'] } }, 'tables.infobase.1', /letters, digits/);
  });

  it('rejects a hostile bucket column and catalog database', () => {
    expectInvalid({ ...validDoc(), bucketing: { column: 'a"; drop' } }, 'bucketing.column', /letters, digits/);
    expectInvalid({ ...validDoc(), catalog: { database: 'db-name' } }, 'catalog.database', /letters, digits/);
  });

  it('requires the catalog section', () => {
    const { catalog: _omit, ...doc } = validDoc();
    expectInvalid(doc, 'catalog', /./);
  });

  it('rejects job argument keys without "--", naming the key', () => {
    expectInvalid({ ...validDoc(), jobs: { arguments: { SNAPSHOT: 'x' } } }, 'jobs.arguments.SNAPSHOT', /./);
  });

  it('says why a job argument key is rejected (keys start with "--")', () => {
    expectInvalid({ ...validDoc(), jobs: { arguments: { SNAPSHOT: 'x' } } }, 'jobs.arguments.SNAPSHOT', /start with "--"/);
  });

  it('accepts job argument keys with "--"', () => {
    const config = parseConfig({ ...validDoc(), jobs: { arguments: { '--enable-metrics': 'true' } } }, 's', {});
    expect(config.jobs.arguments).toEqual({ '--enable-metrics': 'true' });
  });

  it('lists every problem, one per line', () => {
    const error = configErrorOf(() =>
      parseConfig({ ...validDoc(), environment: 'BAD', bucketing: { count: 0 } }, 'many.yaml', {}),
    );
    const lines = error.message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines.length).toBe(2);
    expect(error.message).toContain('environment:');
    expect(error.message).toContain('bucketing.count:');
  });

  it('rejects a document that is not an object', () => {
    for (const doc of [null, undefined, 'environment: x', 42, []]) {
      const error = configErrorOf(() => parseConfig(doc, 'weird.yaml', {}));
      expect(error.message).toContain('weird.yaml');
    }
  });
});

describe('loadConfig from files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file, the field path and the reason', async () => {
    const file = path.join(dir, 'bad-env.yaml');
    await writeFile(file, 'environment: Prod\nbackend: local\ntables: {infobase: [IBE_01]}\ncatalog: {database: db}\n');
    const error = configErrorOf(() => loadConfig(file, {}));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/environment: .*lower case/);
  });

  it('reports a missing file with its path', () => {
    const file = path.join(dir, 'does-not-exist.yaml');
    const error = configErrorOf(() => loadConfig(file, {}));
    expect(error.message).toContain(file);
  });

  it('reports invalid YAML with the file path', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'environment: [unclosed\n  backend: : :\n');
    const error = configErrorOf(() => loadConfig(file, {}));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/YAML/);
  });

  it('reports an empty file as invalid, naming the file', async () => {
    const file = path.join(dir, 'empty.yaml');
    await writeFile(file, '');
    const error = configErrorOf(() => loadConfig(file, {}));
    expect(error.message).toContain(file);
  });
});

describe('parseConfigYaml', () => {
  it('parses 40,000 keys of one mapping in linear time (the yaml package alone takes minutes)', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    expect(Object.keys(parseConfigYaml(text, 'big.yaml') as object)).toHaveLength(40_000);
  });

  it('still rejects a key given twice in one mapping, at any depth', () => {
    expect(() => parseConfigYaml('a: 1\nb:\n  c: 1\n  c: 2\n', 'dup.yaml')).toThrow(/dup.yaml is not valid YAML: the key "c" appears twice/);
    expect(() => parseConfigYaml('a: 1\na: 2\n', 'dup.yaml')).toThrow(/the key "a" appears twice/);
    expect(parseConfigYaml('a:\n  c: 1\nb:\n  c: 2\n', 'ok.yaml')).toEqual({ a: { c: 1 }, b: { c: 2 } });
  });

  it('reports a syntax error with the file name', () => {
    expect(() => parseConfigYaml('a: [1, 2\n', 'bad.yaml')).toThrow(/bad.yaml is not valid YAML/);
  });
});

describe('loadConfig size bound', () => {
  it(`refuses a file over ${MAX_CONFIG_BYTES / 1024 / 1024} MB before parsing it`, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bigconfig-'));
    try {
      const file = path.join(dir, 'huge.yaml');
      await writeFile(file, Array.from({ length: 300_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n'));
      expect(() => loadConfig(file, {})).toThrow(/huge.yaml is 6\.\d MB: a config file is at most 1 MB/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
