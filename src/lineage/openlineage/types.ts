/** The subset of the OpenLineage 2-0-2 RunEvent model Flywheel emits (spec: contracts/openlineage). */

export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** Every facet carries its producer and the JSON-pointer URL of the schema it conforms to. */
export interface BaseFacet {
  _producer: string;
  _schemaURL: string;
  [key: string]: unknown;
}

export type Facets = Record<string, BaseFacet>;

export interface OLDataset {
  namespace: string;
  name: string;
  facets?: Facets;
  /** Input datasets only (e.g. the quality gate's data-quality facets). */
  inputFacets?: Facets;
}

export type EventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

export interface RunEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
  eventType: EventType;
  run: { runId: string; facets?: Facets };
  job: { namespace: string; name: string; facets?: Facets };
  inputs: OLDataset[];
  outputs: OLDataset[];
}
