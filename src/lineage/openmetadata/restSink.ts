import type { OperationContext } from '../../ports/context.js';
import type { LineageRun } from '../../ports/lineage.js';
import { SinkError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { resolveToken, type TokenSource } from '../secrets.js';
import type { LineageSink } from '../sink.js';
import { fqnPathSegment } from './fqn.js';
import { buildOmModel, lineageBody, type OmModelOptions } from './model.js';
import type { OmQuality } from './quality.js';

interface EntityResponse {
  id?: unknown;
  fullyQualifiedName?: unknown;
}

/**
 * `sink: openmetadata` (transport rest): checks the server and the bot token, upserts the entities
 * (PUT is create-or-update by FQN), then writes one lineage edge per hop with its column mappings and
 * the run's pipeline status. Entity PUTs are repeated on every attempt (idempotent, and they give the
 * ids edges need); edges and the status are skipped once delivered.
 */
export class OpenMetadataRestSink implements LineageSink {
  readonly name = 'openmetadata';

  constructor(
    private readonly client: HttpClient,
    private readonly model: OmModelOptions,
    private readonly token: TokenSource,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  async publish(run: LineageRun, ctx: OperationContext, done: Set<string>): Promise<{ events: number }> {
    const model = buildOmModel(run, this.model);
    const authorization = `Bearer ${await resolveToken(this.token, this.env, this.home, true)}`;
    const call = { authorization, signal: ctx.signal };
    await this.checkServer(call);

    let writes = 0;
    const write = async (method: 'PUT' | 'POST', path: string, body: unknown, what: string): Promise<{ id: string; fqn: string | undefined }> => {
      const response = await this.client.request<EntityResponse>(method, path, { ...call, body });
      writes += 1;
      ctx.heartbeat({ lineage: what });
      const id = response.body?.id;
      const fqn = response.body?.fullyQualifiedName;
      return { id: typeof id === 'string' ? id : '', fqn: typeof fqn === 'string' ? fqn : undefined };
    };
    const put = (path: string, body: unknown, what: string) => write('PUT', path, body, what);
    const entity = async (path: string, body: { name: string }, kind: string, expectedFqn: string) => {
      const result = await put(path, body, `${kind} ${expectedFqn}`);
      if (!result.id) throw new SinkError('contract', `PUT ${path} (${kind} ${expectedFqn}) answered without an entity id`);
      return { id: result.id, fqn: result.fqn ?? expectedFqn };
    };

    await entity('/api/v1/services/databaseServices', model.databaseService, 'database service', model.database.service);
    await entity('/api/v1/databases', model.database, 'database', `${model.database.service}.${model.database.name}`);
    for (const schema of model.schemas) await entity('/api/v1/databaseSchemas', schema, 'schema', `${schema.database}.${schema.name}`);
    const tables = new Map<string, { id: string; fqn: string }>();
    for (const table of model.tables) tables.set(table.fqn, await entity('/api/v1/tables', table.body, 'table', table.fqn));
    await entity('/api/v1/services/pipelineServices', model.pipelineService, 'pipeline service', model.pipeline.body.service);
    const pipeline = await entity('/api/v1/pipelines', model.pipeline.body, 'pipeline', model.pipeline.fqn);

    for (const edge of model.edges) {
      if (done.has(edge.key)) continue;
      const body = lineageBody(edge, { from: tables.get(edge.fromFqn)!, to: tables.get(edge.toFqn)!, pipelineId: pipeline.id });
      await put('/api/v1/lineage', body, `edge ${edge.fromFqn} → ${edge.toFqn}`);
      done.add(edge.key);
    }
    await this.publishQuality(model.quality, write, done);
    if (model.status && !done.has(model.status.key)) {
      await put(`/api/v1/pipelines/${fqnPathSegment(pipeline.fqn)}/status`, model.status.body, `status of ${pipeline.fqn}`);
      done.add(model.status.key);
    }
    return { events: writes };
  }

  /**
   * The quality gate's results: Flywheel's test definitions, a basic test suite per checked staged table, the
   * test cases (PUT: create-or-update, every attempt) and each case's result for this run (once, like edges).
   */
  private async publishQuality(
    quality: OmQuality,
    write: (method: 'PUT' | 'POST', path: string, body: unknown, what: string) => Promise<unknown>,
    done: Set<string>,
  ): Promise<void> {
    if (quality.testCases.length === 0) return;
    for (const definition of quality.testDefinitions) await write('PUT', '/api/v1/dataQuality/testDefinitions', definition, `test definition ${definition.name}`);
    for (const suite of quality.testSuites) await write('PUT', '/api/v1/dataQuality/testSuites/basic', suite.body, `test suite ${suite.fqn}`);
    for (const testCase of quality.testCases) await write('PUT', '/api/v1/dataQuality/testCases', testCase.body, `test case ${testCase.fqn}`);
    for (const testCase of quality.testCases) {
      if (done.has(testCase.resultKey)) continue;
      const path = `/api/v1/dataQuality/testCases/testCaseResults/${fqnPathSegment(testCase.fqn)}`;
      await write('POST', path, testCase.result, `result of ${testCase.fqn}`);
      done.add(testCase.resultKey);
    }
  }

  /** `/system/version` needs no token, so one authenticated call follows to catch a bad or expired bot token. */
  private async checkServer(call: { authorization: string; signal: AbortSignal }): Promise<void> {
    const version = await this.client.request<{ version?: unknown }>('GET', '/api/v1/system/version', { signal: call.signal });
    if (typeof version.body?.version !== 'string') {
      throw new SinkError('contract', `GET /api/v1/system/version did not return a version: is ${this.client.url('')} an OpenMetadata server?`);
    }
    await this.client.request('GET', '/api/v1/users/loggedInUser', call);
  }
}
