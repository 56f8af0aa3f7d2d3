import { ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../domain/errors.js';
import type { RegisterStagedTableRequest } from '../../ports/catalog.js';
import type { AwsLayout, S3Location } from './layout.js';

/** How much of a listing an error message shows. */
const SHOWN = 8;

const shortKey = (key: string, under: string) => (key.startsWith(under) ? key.slice(under.length) : key);

function describeFound(objects: _Object[], partition: S3Location): string {
  if (objects.length === 0) return 'found nothing there';
  const shown = objects.slice(0, SHOWN).map((o) => `${shortKey(o.Key ?? '', partition.prefix)} (${o.Size ?? 0} B)`);
  const more = objects.length > SHOWN ? `, … ${objects.length - SHOWN} more` : '';
  return `found ${objects.length} object(s), none a data file (empty, or a marker starting with "_"/"."): ${shown.join(', ')}${more}`;
}

/** What sits directly under the table's root, to show where the job did write when it wrote elsewhere. */
async function describeRoot(s3: S3Client, layout: AwsLayout, root: S3Location, partition: S3Location): Promise<string> {
  if (root.prefix === partition.prefix) return '';
  const page = await s3.send(new ListObjectsV2Command({ Bucket: root.bucket, Prefix: root.prefix, Delimiter: '/', MaxKeys: SHOWN + 1 }));
  const entries = [...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''), ...(page.Contents ?? []).map((o) => o.Key ?? '')]
    .map((k) => shortKey(k, root.prefix))
    .sort();
  if (entries.length === 0) return `; nothing under ${layout.uri(root)} either`;
  const more = page.IsTruncated || entries.length > SHOWN ? ', …' : '';
  return `; under ${layout.uri(root)} there is: ${entries.slice(0, SHOWN).join(', ')}${more}`;
}

/**
 * The registration failure when the split job's output is not where the staged layout says: the
 * location listed, what was found there (and next to it), and the job run that should have written it.
 */
export async function missingStagedDataError(
  s3: S3Client,
  layout: AwsLayout,
  request: RegisterStagedTableRequest,
  objects: _Object[],
): Promise<InvalidInputError> {
  const partition = layout.stagedPartition(request.table, request.snapshotDt);
  const root = layout.stagedTableRoot(request.table);
  const around = await describeRoot(s3, layout, root, partition).catch((error: unknown) => `; could not list ${layout.uri(root)}: ${(error as Error).message}`);
  const producer = request.producedBy
    ? `${request.producedBy.jobName} run ${request.producedBy.runId} (--SNAPSHOT_DT ${request.snapshotDt}, --TABLES_FILTER with ${request.table.name})`
    : `the split/bucket job run for ${request.table.name} ${request.snapshotDt}`;
  return new InvalidInputError(
    `no staged data files for ${request.table.name} ${request.snapshotDt}: listed ${layout.uri(partition)} and ${describeFound(objects, partition)}${around}. ` +
      `It should have been written by ${producer}. Flywheel reads layout.stagedPrefix + layout.stagedPathTemplate ` +
      `(${JSON.stringify(layout.stagedPattern())}); if the job writes elsewhere, set them to match (README: "Staged layout").`,
  );
}
