import { DuckDBScalarFunction, INTEGER, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { InvalidInputError } from '../../domain/errors.js';
import { hiveV1BytesHash, parseHiveBucketType, type HiveBucketType } from '../../domain/hiveBucketing.js';
import { quoteIdent } from '../../domain/identifiers.js';
import { readParquetSql } from './duck.js';

/**
 * Hive bucketing v1 inside DuckDB, so a local bucket holds exactly the rows Athena's would
 * (src/domain/hiveBucketing.ts is the definition). Numbers and dates are plain SQL; strings need
 * the hash over their UTF-8 bytes, which DuckDB has no fast SQL for, so a vectorised scalar function
 * reads each chunk's raw `string_t` array (16 bytes per row: length, then ≤ 12 inline bytes or a
 * pointer) and hashes the bytes in place: no string is decoded, ~25 ms of JS per million rows.
 */
export const HIVE_STRING_HASH = 'flywheel_hive_v1_string_hash';

const STRING_T_BYTES = 16;
const INLINE_BYTES = 12;

/** Hashes one chunk: reads the input `string_t` array and validity mask, writes INTEGER hashes. */
function hashChunk(input: duckdb.DataChunk, output: duckdb.Vector, hashes: Int32Array): void {
  const rows = duckdb.data_chunk_get_size(input);
  const vector = duckdb.data_chunk_get_vector(input, 0);
  const data = duckdb.vector_get_data(vector, rows * STRING_T_BYTES);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // Validity: one bit per row (LSB first, little-endian words), or no mask when every row is valid.
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  const allValid = !validity || validity.byteLength === 0;
  for (let row = 0; row < rows; row++) {
    if (!allValid && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) {
      hashes[row] = 0;
      continue;
    }
    const offset = row * STRING_T_BYTES;
    const length = view.getUint32(offset, true);
    hashes[row] =
      length <= INLINE_BYTES
        ? hiveV1BytesHash(data, offset + 4, offset + 4 + length)
        : hiveV1BytesHash(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + offset + 8, length));
  }
  duckdb.copy_data_to_vector(output, 0, hashes.buffer as ArrayBuffer, hashes.byteOffset, rows * Int32Array.BYTES_PER_ELEMENT);
}

function stringHashFunction(): DuckDBScalarFunction {
  const fn = DuckDBScalarFunction.create({
    name: HIVE_STRING_HASH,
    returnType: INTEGER,
    parameterTypes: [VARCHAR],
    // Called for NULLs too: Hive's hash of NULL is 0, not NULL (a NULL bucket would be a 257th file).
    specialHandling: true,
    mainFunction: () => {
      throw new Error('replaced below');
    },
  });
  // The raw binding instead of node-api's wrapper: no per-chunk vector objects, one copy of the results.
  let hashes = new Int32Array(2048);
  duckdb.scalar_function_set_function(fn.scalar_function, (_info, input, output) => {
    const rows = duckdb.data_chunk_get_size(input);
    if (rows > hashes.length) hashes = new Int32Array(rows);
    hashChunk(input, output, hashes);
  });
  return fn;
}

/** Makes the string hash callable on this connection's database (idempotent; functions are per database). */
export function registerHiveHashFunctions(conn: DuckDBConnection): void {
  conn.registerScalarFunction(stringHashFunction());
}

/** DuckDB column types that map onto a Hive type Athena would give the column, and how it is bucketed. */
const HIVE_TYPE_OF_DUCK: Record<string, HiveBucketType> = {
  VARCHAR: 'string',
  BIGINT: 'bigint',
  INTEGER: 'int',
  SMALLINT: 'smallint',
  TINYINT: 'tinyint',
  DATE: 'date',
  BOOLEAN: 'boolean',
};

export function hiveTypeOfDuckType(duckType: string, column: string): HiveBucketType {
  return HIVE_TYPE_OF_DUCK[duckType.toUpperCase()] ?? parseHiveBucketType(duckType, column);
}

/**
 * SQL for the v1 field hash of `column`. Only its low 32 bits matter (BIGINT's xor keeps 64); that
 * is all the bucket expression reads.
 */
function fieldHashSql(column: string, type: HiveBucketType): string {
  const c = quoteIdent(column, 'bucket column');
  switch (type) {
    case 'string':
      return `${HIVE_STRING_HASH}(${c})`;
    case 'bigint': // (int)(v ^ (v >>> 32)): the low word of v xor its high word, whichever shift fills the top
      return `coalesce(xor(${c}, ${c} >> 32), 0)`;
    case 'int':
    case 'smallint':
    case 'tinyint':
      return `coalesce(${c}::INTEGER, 0)`;
    case 'date':
      return `coalesce((${c} - DATE '1970-01-01')::INTEGER, 0)`;
    case 'boolean':
      return `(CASE WHEN ${c} THEN 1 ELSE 0 END)`;
  }
}

/** `(hash & 0x7fffffff) % count`: the Hive bucket of each row (needs registerHiveHashFunctions for strings). */
export function hiveBucketSql(column: string, type: HiveBucketType, count: number): string {
  if (!Number.isInteger(count) || count < 1) throw new Error(`invalid bucket count ${count}`);
  return `((${fieldHashSql(column, type)} & 2147483647) % ${count})`;
}

/** The Hive type of `column` in these Parquet files, refusing types Athena's buckets cannot be reproduced for. */
export async function bucketColumnHiveType(conn: DuckDBConnection, files: readonly string[], column: string): Promise<HiveBucketType> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT ${quoteIdent(column, 'bucket column')} FROM ${readParquetSql(files)}`).catch((error: unknown) => {
    if (/not found/i.test(String(error))) throw new InvalidInputError(`bucket column ${column} is not a column of the staged data`);
    throw error;
  });
  const [row] = reader.getRowObjectsJson() as { column_type?: string }[];
  if (!row?.column_type) throw new Error(`cannot read the type of ${column}`);
  return hiveTypeOfDuckType(row.column_type, column);
}
