import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { AccessDeniedError } from '../../domain/errors.js';

/** Small S3 helpers shared by the inventory, the catalog and the CTAS builder. */

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

/** Markers Hadoop/Glue/EMR leave next to data: never data files. */
export function isDataObject(object: Pick<_Object, 'Key' | 'Size'>): boolean {
  const key = object.Key ?? '';
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (!base || (object.Size ?? 0) === 0) return false;
  if (base === '_SUCCESS' || base.endsWith('$folder$') || base.startsWith('_') || base.startsWith('.')) return false;
  return true;
}

/** Every object under a prefix (all pages). */
export async function listAllObjects(s3: S3Client, bucket: string, prefix: string, pageSize?: number): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: pageSize }),
    );
    objects.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/**
 * Deletes everything under a prefix, 1000 keys per DeleteObjects (the API limit). Per-key errors in
 * the response are failures too, not silently ignored.
 */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  if (!prefix.endsWith('/') || prefix.length < 2) throw new Error(`refusing to delete a non-directory prefix ${JSON.stringify(prefix)}`);
  const keys = (await listAllObjects(s3, bucket, prefix)).map((o) => o.Key!).filter(Boolean);
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0]!;
      const message = `could not delete ${errors.length} object(s) under s3://${bucket}/${prefix}: ${first.Key}: ${first.Code} ${first.Message}`;
      if (first.Code === 'AccessDenied') {
        // DeleteObjects answers 200 and reports the denial per key: still a permission problem, not a retry.
        const resource = `arn:aws:s3:::${bucket}/${first.Key}`;
        throw new AccessDeniedError('s3:DeleteObject', resource, `AWS denied s3:DeleteObject on ${resource}: ${message}. The worker's IAM role must allow it (iam/flywheel-worker-policy.json).`);
      }
      throw new Error(message);
    }
  }
  return keys.length;
}

/** Last `length` bytes of an object with a suffix Range request (Parquet footers). */
export async function readObjectTail(s3: S3Client, bucket: string, key: string, length: number): Promise<Uint8Array> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=-${length}` }));
  if (!result.Body) throw new Error(`empty response reading s3://${bucket}/${key}`);
  return result.Body.transformToByteArray();
}

/**
 * Whether the object exists, by a ListObjectsV2 of its own key as prefix. Not a GetObject/HeadObject
 * that relies on 404: S3 answers those with 403 AccessDenied for a missing key unless the caller may
 * s3:ListBucket the whole bucket, and a least-privilege role may list only under its prefixes.
 */
export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  // Keys are listed in order and a key sorts before every longer key it prefixes: one key is enough.
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return page.Contents?.[0]?.Key === key;
}

/** A JSON object, or undefined when there is none at `key` (checked with `objectExists`, see there). */
export async function readJsonObject<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  if (!(await objectExists(s3, bucket, key))) return undefined;
  try {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await result.Body!.transformToString()) as T;
  } catch (error) {
    // Deleted between the listing and the read.
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function writeJsonObject(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await writeBytesObject(s3, bucket, key, JSON.stringify(value), 'application/json');
}

export async function writeBytesObject(s3: S3Client, bucket: string, key: string, body: string | Buffer, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}
