import type { S3Client } from '@aws-sdk/client-s3';
import { parquetMetadata, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { assertSqlIdentifier } from '../../domain/identifiers.js';
import type { ColumnSpec } from '../../ports/catalog.js';
import { readObjectTail } from './s3Objects.js';

/** Enough for the footer of any file the split jobs write; larger footers take a second request. */
const FIRST_TAIL_BYTES = 64 * 1024;

/**
 * Reads a Parquet file's footer with suffix Range requests (never the whole object): the last 8 bytes
 * are `<metadata length><PAR1>`, the metadata sits right before them.
 */
export async function readParquetFooter(s3: S3Client, bucket: string, key: string): Promise<FileMetaData> {
  let tail = await readObjectTail(s3, bucket, key, FIRST_TAIL_BYTES);
  const where = `s3://${bucket}/${key}`;
  if (tail.byteLength < 12) throw new Error(`${where} is too short to be Parquet`);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.byteLength - 4, true) !== 0x31524150) throw new Error(`${where} is not Parquet (no PAR1 footer)`);
  const metadataLength = view.getUint32(tail.byteLength - 8, true);
  if (metadataLength + 8 > tail.byteLength) {
    tail = await readObjectTail(s3, bucket, key, metadataLength + 8);
    if (tail.byteLength < metadataLength + 8) throw new Error(`${where}: footer claims ${metadataLength} bytes, file is shorter`);
  }
  return parquetMetadata(tail);
}

/** Hive/Glue type of a leaf column, from its physical type and its logical/converted annotation. */
function primitiveType(tree: SchemaTree): string {
  const e = tree.element;
  const logical = e.logical_type;
  const converted = e.converted_type;
  if (logical?.type === 'DECIMAL') return `decimal(${logical.precision},${logical.scale})`;
  if (converted === 'DECIMAL') return `decimal(${e.precision ?? 38},${e.scale ?? 0})`;
  if (logical?.type === 'DATE' || converted === 'DATE') return 'date';
  if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return 'timestamp';
  if (logical?.type === 'STRING' || logical?.type === 'ENUM' || logical?.type === 'JSON') return 'string';
  if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return 'string';
  if (logical?.type === 'INTEGER') {
    const { bitWidth, isSigned } = logical;
    if (bitWidth === 8) return isSigned ? 'tinyint' : 'smallint';
    if (bitWidth === 16) return isSigned ? 'smallint' : 'int';
    if (bitWidth === 32) return isSigned ? 'int' : 'bigint';
    return isSigned ? 'bigint' : 'decimal(20,0)';
  }
  switch (converted) {
    case 'INT_8':
      return 'tinyint';
    case 'INT_16':
    case 'UINT_8':
      return 'smallint';
    case 'INT_32':
    case 'UINT_16':
      return 'int';
    case 'INT_64':
    case 'UINT_32':
      return 'bigint';
    case 'UINT_64':
      return 'decimal(20,0)';
  }
  switch (e.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
      return 'int';
    case 'INT64':
      return 'bigint';
    case 'INT96':
      return 'timestamp';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return 'binary';
    default:
      throw new Error(`column ${e.name}: unsupported Parquet type ${String(e.type)}`);
  }
}

function fieldName(tree: SchemaTree): string {
  return assertSqlIdentifier(tree.element.name, 'Parquet column name').toLowerCase();
}

/** Hive type of any schema node, nested lists/maps/structs included (standard 3-level encodings). */
export function hiveType(tree: SchemaTree): string {
  const e = tree.element;
  const annotation = e.logical_type?.type ?? e.converted_type;
  if (annotation === 'LIST') {
    const repeated = tree.children[0];
    if (!repeated) throw new Error(`list column ${e.name} has no element`);
    // 3-level: list > repeated group `list` > `element`; 2-level legacy: the repeated node is the element.
    const element = repeated.children.length === 1 && repeated.element.type === undefined ? repeated.children[0]! : repeated;
    return `array<${hiveType(element)}>`;
  }
  if (annotation === 'MAP' || annotation === 'MAP_KEY_VALUE') {
    const entry = tree.children[0];
    const [key, value] = entry?.children ?? [];
    if (!key || !value) throw new Error(`map column ${e.name} has no key/value`);
    return `map<${hiveType(key)},${hiveType(value)}>`;
  }
  if (tree.children.length > 0) {
    return `struct<${tree.children.map((c) => `${fieldName(c)}:${hiveType(c)}`).join(',')}>`;
  }
  const leaf = primitiveType(tree);
  // A bare repeated primitive (legacy) is an array of it.
  return e.repetition_type === 'REPEATED' ? `array<${leaf}>` : leaf;
}

/** Top-level columns of a Parquet file as Glue columns (names lower-cased, as Glue stores them). */
export function glueColumns(metadata: FileMetaData): ColumnSpec[] {
  return parquetSchema(metadata).children.map((child) => ({ name: fieldName(child), type: hiveType(child) }));
}
