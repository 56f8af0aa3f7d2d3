import type { S3Client } from '@aws-sdk/client-s3';
import { assertRelativePath, type RunManifests } from '../../ports/runManifests.js';
import { listAllObjects, readJsonObject, s3Uri, writeBytesObject, writeJsonObject } from './s3Objects.js';

/**
 * Run documents as JSON objects under `s3://<targetBucket>/<bucketedPrefix>_flywheel_runs/<workflowId>/<runId>/`:
 * next to the bucketed data the worker may already write (no extra IAM grant), in a `_`-prefixed folder that
 * Athena and Hive treat as hidden and that no table name can collide with.
 */
export class S3RunManifests implements RunManifests {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private key(runKey: string, document = ''): string {
    const base = `${this.prefix}_flywheel_runs/${assertRelativePath(runKey, 'run key')}/`;
    return document ? `${base}${assertRelativePath(document, 'document name')}.json` : base;
  }

  location(runKey: string, document?: string): string {
    return s3Uri(this.bucket, this.key(runKey, document));
  }

  write(runKey: string, document: string, value: unknown): Promise<void> {
    return writeJsonObject(this.s3, this.bucket, this.key(runKey, document), value);
  }

  /**
   * One PUT of the assembled text: the pieces are joined as bytes (a few MB for 5,000 tables), never as objects.
   * (A multipart upload would bound it further; no report comes near the 5 GB single-PUT limit.)
   */
  async writeJsonChunks(runKey: string, document: string, chunks: AsyncIterable<string>): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(Buffer.from(chunk, 'utf8'));
    await writeBytesObject(this.s3, this.bucket, this.key(runKey, document), Buffer.concat(parts), 'application/json');
  }

  read<T>(runKey: string, document: string): Promise<T | undefined> {
    return readJsonObject<T>(this.s3, this.bucket, this.key(runKey, document));
  }

  async list(runKey: string, folder: string): Promise<string[]> {
    const base = this.key(runKey);
    const prefix = `${base}${assertRelativePath(folder.replace(/\/$/, ''), 'folder')}/`;
    const objects = await listAllObjects(this.s3, this.bucket, prefix);
    return objects
      .map((o) => o.Key ?? '')
      .filter((k) => k.endsWith('.json'))
      .map((k) => k.slice(base.length, -5))
      .sort();
  }
}
