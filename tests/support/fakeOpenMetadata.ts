/**
 * A fake OpenMetadata 1.13 server for tests: a real HTTP server on 127.0.0.1 (node:http) with the REST
 * semantics Flywheel relies on (REST-NOTES.md in the shared contracts): PUT upserts by FQN (201 on
 * create, 200 after), parents referenced by FQN must exist (404), lineage edges resolve ids (404),
 * drop unknown columns and keep the last write per (from, to), `/system/version` needs no token.
 * It records every request and can be told to answer 401/404/500, to be slow, or to stop listening.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body?: unknown;
}

export interface Fault {
  /** Which requests it applies to (default: all). */
  match?: (method: string, path: string) => boolean;
  /** HTTP status to answer with, or `slow` (answer normally after delayMs). */
  respond: number | 'slow';
  delayMs?: number;
  /** Let this many matching requests through first. */
  after?: number;
  /** Apply to this many matching requests, then disappear (default: forever). */
  times?: number;
}

export interface StoredEntity {
  id: string;
  name: string;
  fullyQualifiedName: string;
  version: number;
  [key: string]: unknown;
}

export interface StoredEdge {
  fromEntity: string;
  toEntity: string;
  lineageDetails: { columnsLineage?: { fromColumns: string[]; toColumn: string }[]; [key: string]: unknown };
}

type Kind = 'databaseService' | 'database' | 'databaseSchema' | 'table' | 'pipelineService' | 'pipeline' | 'testDefinition' | 'testSuite' | 'testCase';

const COLLECTIONS: Record<string, { kind: Kind; parentField?: string; parentKind?: Kind }> = {
  '/api/v1/services/databaseServices': { kind: 'databaseService' },
  '/api/v1/databases': { kind: 'database', parentField: 'service', parentKind: 'databaseService' },
  '/api/v1/databaseSchemas': { kind: 'databaseSchema', parentField: 'database', parentKind: 'database' },
  '/api/v1/tables': { kind: 'table', parentField: 'databaseSchema', parentKind: 'databaseSchema' },
  '/api/v1/services/pipelineServices': { kind: 'pipelineService' },
  '/api/v1/pipelines': { kind: 'pipeline', parentField: 'service', parentKind: 'pipelineService' },
};

const quote = (name: string) => (name.includes('.') ? `"${name}"` : name);

export class FakeOpenMetadata {
  readonly requests: RecordedRequest[] = [];
  readonly entities = new Map<Kind, Map<string, StoredEntity>>();
  readonly edges = new Map<string, StoredEdge>();
  readonly statuses = new Map<string, Record<string, unknown>[]>();
  readonly openLineageBatches: unknown[][] = [];
  /** Test case results by test case FQN (the quality gate's), one per timestamp as OpenMetadata keeps them. */
  readonly testCaseResults = new Map<string, Record<string, unknown>[]>();
  private faults: (Fault & { seen: number; applied: number })[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(readonly token = 'fake-bot-jwt') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops open connections: clients now get "connection refused". */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, seen: 0, applied: 0 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  entity(kind: Kind, fqn: string): StoredEntity | undefined {
    return this.entities.get(kind)?.get(fqn);
  }

  count(method: string, pathPrefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return this.send(res, 400, { code: 400, message: 'Unable to process JSON' });
    }
    this.requests.push({ method, path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });

    const fault = this.faults.find((f) => (f.match ?? (() => true))(method, path) && f.seen++ >= (f.after ?? 0) && (f.times === undefined || f.applied < f.times));
    if (fault) {
      fault.applied += 1;
      if (fault.respond === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
      else return this.send(res, fault.respond, { code: fault.respond, message: `injected ${fault.respond}` });
    }
    if (method === 'GET' && path === '/api/v1/system/version') return this.send(res, 200, { version: '1.13.0', revision: 'fake', timestamp: Date.now() });
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, 401, { code: 401, message: 'Not Authorized! Token verification failed' });
    if (text && !String(req.headers['content-type']).startsWith('application/json')) return this.send(res, 415, { code: 415, message: 'HTTP 415 Unsupported Media Type' });
    if (method === 'GET' && path === '/api/v1/users/loggedInUser') return this.send(res, 200, { id: randomUUID(), name: 'flywheel-bot', isBot: true });
    if (method === 'PUT' && COLLECTIONS[path]) return this.upsert(res, path, body as Record<string, unknown>);
    if (method === 'PUT' && path === '/api/v1/lineage') return this.addLineage(res, body as { edge: Record<string, unknown> });
    if (method === 'PUT' && path.startsWith('/api/v1/dataQuality/')) return this.dataQuality(res, path, body as Record<string, unknown>);
    const result = /^\/api\/v1\/dataQuality\/testCases\/testCaseResults\/(.+)$/.exec(path);
    if (method === 'POST' && result) return this.addTestCaseResult(res, result[1]!, body as Record<string, unknown>);
    const status = /^\/api\/v1\/pipelines\/(.+)\/status$/.exec(path);
    if (method === 'PUT' && status) return this.putStatus(res, status[1]!, body as Record<string, unknown>);
    if (method === 'POST' && path === '/api/v1/openlineage/lineage/batch') {
      const events = (body as { events: unknown[] }).events;
      this.openLineageBatches.push(events);
      return this.send(res, 200, { status: 'success', lineageEdgesCreated: events.length, summary: { received: events.length, successful: events.length, failed: 0, skipped: 0 } });
    }
    return this.send(res, 404, { code: 404, message: `no route ${method} ${path}` });
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, body === undefined ? headers : { 'Content-Type': 'application/json', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private upsert(res: ServerResponse, path: string, body: Record<string, unknown>): void {
    const { kind, parentField, parentKind } = COLLECTIONS[path]!;
    const name = String(body.name ?? '');
    if (!name || name.includes('"')) return this.send(res, 400, { code: 400, message: `[name ${name} is invalid]` });
    let fqn = quote(name);
    if (parentField && parentKind) {
      const parentFqn = String(body[parentField]);
      if (!this.entity(parentKind, parentFqn)) return this.send(res, 404, { code: 404, message: `${parentKind} instance for ${parentFqn} not found` });
      fqn = `${parentFqn}.${quote(name)}`;
    }
    if (kind === 'table') {
      for (const c of body.columns as { dataType: string; dataLength?: number }[]) {
        if (['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'].includes(c.dataType) && c.dataLength === undefined) {
          return this.send(res, 400, { code: 400, message: 'For column data types char, varchar, binary, varbinary dataLength must not be null' });
        }
      }
    }
    const store = this.entities.get(kind) ?? new Map<string, StoredEntity>();
    this.entities.set(kind, store);
    const existing = store.get(fqn);
    const entity: StoredEntity = { ...body, id: existing?.id ?? randomUUID(), name, fullyQualifiedName: fqn, version: existing ? existing.version + 0.1 : 0.1 };
    if (kind === 'table') entity.columns = (body.columns as { name: string }[]).map((c) => ({ ...c, fullyQualifiedName: `${fqn}.${quote(c.name)}` }));
    if (kind === 'pipeline') entity.tasks = ((body.tasks ?? []) as { name: string }[]).map((t) => ({ ...t, fullyQualifiedName: `${fqn}.${quote(t.name)}` }));
    store.set(fqn, entity);
    this.send(res, existing ? 200 : 201, entity, { 'X-OpenMetadata-Change': existing ? 'entityUpdated' : 'entityCreated' });
  }

  private byId(id: string): StoredEntity | undefined {
    for (const store of this.entities.values()) for (const e of store.values()) if (e.id === id) return e;
    return undefined;
  }

  /** Like LineageRepository.addLineage: ids must exist, unknown columns are dropped, last write wins. */
  private addLineage(res: ServerResponse, body: { edge: Record<string, unknown> }): void {
    const edge = body.edge as { fromEntity: { id: string }; toEntity: { id: string }; lineageDetails?: StoredEdge['lineageDetails'] & { pipeline?: { id: string } } };
    const from = this.byId(edge.fromEntity.id);
    const to = this.byId(edge.toEntity.id);
    const pipelineId = edge.lineageDetails?.pipeline?.id;
    if (!from || !to || (pipelineId && !this.byId(pipelineId))) return this.send(res, 404, { code: 404, message: 'Entity not found' });
    const columnsOf = (e: StoredEntity) => new Set(((e.columns ?? []) as { fullyQualifiedName: string }[]).map((c) => c.fullyQualifiedName));
    const fromColumns = columnsOf(from);
    const toColumns = columnsOf(to);
    const columnsLineage = (edge.lineageDetails?.columnsLineage ?? [])
      .map((c) => ({ ...c, fromColumns: c.fromColumns.filter((f) => fromColumns.has(f)) }))
      .filter((c) => toColumns.has(c.toColumn) && c.fromColumns.length > 0);
    this.edges.set(`${from.fullyQualifiedName}>${to.fullyQualifiedName}`, {
      fromEntity: from.id,
      toEntity: to.id,
      lineageDetails: { ...(edge.lineageDetails ?? {}), columnsLineage },
    });
    this.send(res, 200);
  }

  private store(kind: Kind, fqn: string, body: Record<string, unknown>): StoredEntity {
    const store = this.entities.get(kind) ?? new Map<string, StoredEntity>();
    this.entities.set(kind, store);
    const existing = store.get(fqn);
    const entity: StoredEntity = { ...body, id: existing?.id ?? randomUUID(), name: String(body.name), fullyQualifiedName: fqn, version: existing ? existing.version + 0.1 : 0.1 };
    store.set(fqn, entity);
    return entity;
  }

  /**
   * Test definitions (by name), basic test suites (their table must exist) and test cases (definition and the
   * table of `entityLink` must exist; FQN = entity FQN + name, as OpenMetadata builds it).
   */
  private dataQuality(res: ServerResponse, path: string, body: Record<string, unknown>): void {
    if (path === '/api/v1/dataQuality/testDefinitions') return this.send(res, 200, this.store('testDefinition', String(body.name), body));
    if (path === '/api/v1/dataQuality/testSuites/basic') {
      const table = String(body.basicEntityReference);
      if (!this.entity('table', table)) return this.send(res, 404, { code: 404, message: `table instance for ${table} not found` });
      return this.send(res, 200, this.store('testSuite', String(body.name), body));
    }
    if (path === '/api/v1/dataQuality/testCases') {
      const definition = String(body.testDefinition);
      if (!this.entity('testDefinition', definition)) return this.send(res, 404, { code: 404, message: `testDefinition instance for ${definition} not found` });
      const link = /^<#E::table::(.+?)(?:::columns::([^:]+))?>$/.exec(String(body.entityLink));
      const table = link && this.entity('table', link[1]!);
      if (!link || !table) return this.send(res, 404, { code: 404, message: `table for ${String(body.entityLink)} not found` });
      const column = link[2];
      if (column && !((table.columns ?? []) as { name: string }[]).some((c) => c.name === column)) {
        return this.send(res, 400, { code: 400, message: `Invalid column name ${column}` });
      }
      const fqn = `${link[1]}${column ? `.${quote(column)}` : ''}.${quote(String(body.name))}`;
      return this.send(res, 200, this.store('testCase', fqn, body));
    }
    return this.send(res, 404, { code: 404, message: `no route PUT ${path}` });
  }

  private addTestCaseResult(res: ServerResponse, fqn: string, body: Record<string, unknown>): void {
    if (!this.entity('testCase', fqn)) return this.send(res, 404, { code: 404, message: `testCase instance for ${fqn} not found` });
    const list = (this.testCaseResults.get(fqn) ?? []).filter((r) => r.timestamp !== body.timestamp);
    list.push(body);
    this.testCaseResults.set(fqn, list);
    this.send(res, 200, { ...body, testCaseFQN: fqn });
  }

  private putStatus(res: ServerResponse, fqn: string, body: Record<string, unknown>): void {
    const pipeline = this.entity('pipeline', fqn);
    if (!pipeline) return this.send(res, 404, { code: 404, message: `pipeline instance for ${fqn} not found` });
    const list = (this.statuses.get(fqn) ?? []).filter((s) => s.timestamp !== body.timestamp);
    list.push(body);
    this.statuses.set(fqn, list);
    this.send(res, 200, pipeline);
  }
}

export async function startFakeOpenMetadata(token?: string): Promise<FakeOpenMetadata> {
  return new FakeOpenMetadata(token).start();
}
