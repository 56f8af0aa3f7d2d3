import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LineageDataset } from '../../ports/lineage.js';

/** How datasets are identified; follows docs/naming.md of the OpenLineage spec (1.52.0). */
export interface DatasetNaming {
  /** Naming of catalog tables (datasets with a `database`). Raw files are always named by location. */
  catalogNaming: 'athena' | 'glue' | 'location';
  region: string;
  accountId?: string;
  athenaCatalog: string;
}

export interface DatasetId {
  namespace: string;
  name: string;
}

/**
 * Location naming: `s3://bucket` + object key (no leading or trailing slash), other URL schemes likewise,
 * and namespace `file` + absolute path for the local file system.
 */
export function locationDatasetId(location: string): DatasetId {
  if (location.startsWith('file://')) return locationDatasetId(fileURLToPath(location));
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(\/.*)?$/i.exec(location);
  if (url) {
    const key = (url[3] ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
    return { namespace: `${url[1]!.toLowerCase()}://${url[2]}`, name: key || '/' };
  }
  const absolute = path.resolve(location);
  const trimmed = absolute.length > 1 ? absolute.replace(/\/+$/, '') : absolute;
  return { namespace: 'file', name: trimmed };
}

/** Athena: `awsathena://athena.{region}.amazonaws.com` + `{catalog}.{db}.{table}`; Glue: ARN + `table/{db}/{table}`. */
export function datasetId(dataset: LineageDataset, naming: DatasetNaming): DatasetId {
  if (!dataset.database || naming.catalogNaming === 'location') return locationDatasetId(dataset.location);
  if (naming.catalogNaming === 'glue') {
    if (!naming.accountId) throw new Error('Glue dataset naming needs an AWS account id');
    return { namespace: `arn:aws:glue:${naming.region}:${naming.accountId}`, name: `table/${dataset.database}/${dataset.name}` };
  }
  return {
    namespace: `awsathena://athena.${naming.region}.amazonaws.com`,
    name: `${naming.athenaCatalog}.${dataset.database}.${dataset.name}`,
  };
}
