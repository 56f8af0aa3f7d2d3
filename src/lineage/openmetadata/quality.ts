import type { QualityApproval, QualityCheckResult, TableQualityResult } from '../../domain/qualityResult.js';
import { childFqn } from './fqn.js';

/**
 * The quality gate's results as OpenMetadata 1.13 data-quality bodies: Flywheel's own test definitions
 * (CreateTestDefinition, platform `Other`: OpenMetadata does not run them, Flywheel reports their results), one
 * basic test suite per checked table (CreateTestSuite), a test case per check (CreateTestCase) and its result
 * for this run (CreateTestCaseResult). Pure; FQNs as in model.ts.
 */

interface Definition {
  name: string;
  entityType: 'TABLE' | 'COLUMN';
  dimension: 'Completeness' | 'Consistency' | 'Validity' | 'Uniqueness' | 'Accuracy';
  description: string;
}

/** One definition per check kind (QualityCheckResult.check). */
const DEFINITIONS: Record<string, Definition> = {
  'schema.bucketColumn': { name: 'flywheelBucketColumnBucketable', entityType: 'TABLE', dimension: 'Validity', description: 'The bucket column is present with a type Hive bucketing v1 can bucket.' },
  'schema.removed': { name: 'flywheelNoColumnsRemoved', entityType: 'TABLE', dimension: 'Consistency', description: 'No column of the last published snapshot is missing.' },
  'schema.retyped': { name: 'flywheelNoColumnsRetyped', entityType: 'TABLE', dimension: 'Consistency', description: 'No column changed its type since the last published snapshot.' },
  'schema.added': { name: 'flywheelColumnsAdded', entityType: 'TABLE', dimension: 'Consistency', description: 'Columns added since the last published snapshot (allowed by default).' },
  'rows.change': { name: 'flywheelRowCountChangeWithinBand', entityType: 'TABLE', dimension: 'Accuracy', description: 'Rows changed within the configured band against the last published snapshot.' },
  nullRate: { name: 'flywheelNullOrEmptyRateAtMost', entityType: 'COLUMN', dimension: 'Completeness', description: 'Rows with the column NULL or empty stay under the configured rate.' },
  distinct: { name: 'flywheelDistinctCountBetween', entityType: 'COLUMN', dimension: 'Uniqueness', description: 'Distinct values of the column stay within the configured bounds.' },
  bucketSkew: { name: 'flywheelBucketSkewAtMost', entityType: 'TABLE', dimension: 'Validity', description: 'Rows in the largest bucket over the median bucket stay under validation.maxBucketSkew.' },
};

export interface OmQualityCase {
  /** Outbox step key of the result: one result per test case and run. */
  resultKey: string;
  fqn: string;
  body: {
    name: string;
    displayName: string;
    description: string;
    testDefinition: string;
    entityLink: string;
    parameterValues: { name: string; value: string }[];
  };
  result: {
    fqn: string;
    timestamp: number;
    testCaseStatus: 'Success' | 'Failed';
    result: string;
    testResultValue: { name: string; value: string }[];
  };
}

export interface OmQuality {
  testDefinitions: {
    name: string;
    displayName: string;
    description: string;
    entityType: 'TABLE' | 'COLUMN';
    testPlatforms: ['Other'];
    dataQualityDimension: Definition['dimension'];
    parameterDefinition: { name: string; displayName: string; dataType: 'STRING'; description: string; required: boolean }[];
  }[];
  testSuites: { fqn: string; body: { name: string; displayName: string; description: string; basicEntityReference: string } }[];
  testCases: OmQualityCase[];
}

const caseName = (c: QualityCheckResult) => `flywheel_${c.check.replace(/\./g, '_')}${c.column ? `_${c.column}` : ''}`.replace(/::/g, '_');

function definitionOf(c: QualityCheckResult): Definition {
  const known = DEFINITIONS[c.check];
  if (known) return known;
  return { name: `flywheel_${c.check.replace(/\W/g, '_')}`, entityType: 'TABLE', dimension: 'Validity', description: `Flywheel check ${c.check}.` };
}

/** Test definitions, suites, cases and results for the checked tables (`tableFqn`: the staged table's FQN). */
export function buildOmQuality(
  checked: readonly { tableFqn: string; quality: TableQualityResult; approval?: QualityApproval }[],
  timestamp: number,
): OmQuality {
  const definitions = new Map<string, OmQuality['testDefinitions'][number]>();
  const testSuites: OmQuality['testSuites'] = [];
  const testCases: OmQualityCase[] = [];
  for (const { tableFqn, quality, approval } of checked) {
    if (quality.checks.length === 0) continue;
    testSuites.push({
      fqn: tableFqn,
      body: { name: tableFqn, displayName: `Flywheel quality gate: ${quality.table}`, description: `Checks of ${quality.table} before its CTAS (Flywheel quality gate).`, basicEntityReference: tableFqn },
    });
    for (const check of quality.checks) {
      const definition = definitionOf(check);
      definitions.set(definition.name, {
        name: definition.name,
        displayName: definition.name,
        description: definition.description,
        entityType: definition.entityType,
        testPlatforms: ['Other'],
        dataQualityDimension: definition.dimension,
        parameterDefinition: [{ name: 'expected', displayName: 'Expected', dataType: 'STRING', description: 'What the check expects, in words.', required: false }],
      });
      // Column-level only for a column the table has (a removed column is reported on the table).
      const onColumn = definition.entityType === 'COLUMN' && check.column !== undefined;
      const entityFqn = onColumn ? childFqn(tableFqn, check.column!) : tableFqn;
      const name = caseName(check);
      const fqn = childFqn(entityFqn, name);
      const approved = check.status === 'fail' && approval ? ` — approved ${approval.approvedAt}: ${approval.reason}` : '';
      testCases.push({
        resultKey: `om:testCaseResult:${fqn}:${timestamp}`,
        fqn,
        body: {
          name,
          displayName: check.column ? `${check.check} (${check.column})` : check.check,
          description: definition.description,
          testDefinition: definition.name,
          entityLink: onColumn ? `<#E::table::${tableFqn}::columns::${check.column}>` : `<#E::table::${tableFqn}>`,
          parameterValues: [{ name: 'expected', value: check.expected }],
        },
        result: {
          fqn,
          timestamp,
          // OpenMetadata has no warning status: a warning is a failed test whose text says it did not stop the table.
          testCaseStatus: check.status === 'pass' ? 'Success' : 'Failed',
          result: `${check.status === 'warn' ? 'warning (did not stop the table): ' : ''}${check.message}${approved}`,
          testResultValue: [
            { name: 'observed', value: check.observed },
            { name: 'expected', value: check.expected },
            { name: 'status', value: check.status },
          ],
        },
      });
    }
  }
  return { testDefinitions: [...definitions.values()], testSuites, testCases };
}
