import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import type { RecordedRequest } from '../support/fakeOpenMetadata.js';
import { compileRef, explain, OM_BASE, openMetadataAjv } from './contracts.js';

/** Which official schema each request body Flywheel sends to OpenMetadata must satisfy. */
const ROUTES: [method: string, path: RegExp, schema: string][] = [
  ['PUT', /^\/api\/v1\/services\/databaseServices$/, 'api/services/createDatabaseService.json'],
  ['PUT', /^\/api\/v1\/databases$/, 'api/data/createDatabase.json'],
  ['PUT', /^\/api\/v1\/databaseSchemas$/, 'api/data/createDatabaseSchema.json'],
  ['PUT', /^\/api\/v1\/tables$/, 'api/data/createTable.json'],
  ['PUT', /^\/api\/v1\/services\/pipelineServices$/, 'api/services/createPipelineService.json'],
  ['PUT', /^\/api\/v1\/pipelines$/, 'api/data/createPipeline.json'],
  ['PUT', /^\/api\/v1\/pipelines\/.+\/status$/, 'entity/data/pipeline.json#/definitions/pipelineStatus'],
  ['PUT', /^\/api\/v1\/lineage$/, 'api/lineage/addLineage.json'],
  ['PUT', /^\/api\/v1\/dataQuality\/testDefinitions$/, 'api/tests/createTestDefinition.json'],
  ['PUT', /^\/api\/v1\/dataQuality\/testSuites\/basic$/, 'api/tests/createTestSuite.json'],
  ['PUT', /^\/api\/v1\/dataQuality\/testCases$/, 'api/tests/createTestCase.json'],
  ['POST', /^\/api\/v1\/dataQuality\/testCases\/testCaseResults\/.+$/, 'api/tests/createTestCaseResult.json'],
  ['POST', /^\/api\/v1\/openlineage\/lineage\/batch$/, 'api/lineage/openlineage/openLineageBatchRequest.json'],
];

export class OmContract {
  private readonly ajv = openMetadataAjv();
  private readonly cache = new Map<string, ValidateFunction>();

  validator(schema: string): ValidateFunction {
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = compileRef(this.ajv, OM_BASE + schema);
      this.cache.set(schema, validate);
    }
    return validate;
  }

  /** Every request with a body must match a known route and validate; returns how many were checked per schema. */
  checkAll(requests: RecordedRequest[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of requests) {
      if (request.body === undefined) continue;
      const route = ROUTES.find(([m, p]) => m === request.method && p.test(request.path));
      expect(route, `no contract for ${request.method} ${request.path}`).toBeDefined();
      const schema = route![2];
      const validate = this.validator(schema);
      expect(validate(request.body), `${request.method} ${request.path} vs ${schema}: ${explain(validate)}\n${JSON.stringify(request.body)}`).toBe(true);
      counts[schema] = (counts[schema] ?? 0) + 1;
    }
    return counts;
  }
}
