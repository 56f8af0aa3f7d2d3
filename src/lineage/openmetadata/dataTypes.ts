/** Column types as OpenMetadata's createTable expects them (table.json#/definitions/column). */
export interface OmColumn {
  name: string;
  dataType: string;
  dataTypeDisplay: string;
  dataLength?: number;
  precision?: number;
  scale?: number;
  arrayDataType?: string;
  ordinalPosition?: number;
}

const SIMPLE: Record<string, string> = {
  string: 'STRING', text: 'STRING', varchar: 'STRING', 'character varying': 'STRING',
  bigint: 'BIGINT', int8: 'BIGINT', long: 'BIGINT', hugeint: 'LARGEINT', ubigint: 'BIGINT',
  int: 'INT', integer: 'INT', int4: 'INT', uinteger: 'INT',
  smallint: 'SMALLINT', int2: 'SMALLINT', usmallint: 'SMALLINT',
  tinyint: 'TINYINT', int1: 'TINYINT', utinyint: 'TINYINT',
  double: 'DOUBLE', 'double precision': 'DOUBLE', float8: 'DOUBLE',
  float: 'FLOAT', real: 'FLOAT', float4: 'FLOAT',
  decimal: 'DECIMAL', numeric: 'NUMERIC',
  boolean: 'BOOLEAN', bool: 'BOOLEAN',
  date: 'DATE', time: 'TIME', timestamp: 'TIMESTAMP', datetime: 'DATETIME',
  'timestamp with time zone': 'TIMESTAMPZ', timestamptz: 'TIMESTAMPZ',
  interval: 'INTERVAL', uuid: 'UUID', json: 'JSON',
  // binary/varbinary need a dataLength in OpenMetadata; Glue's `binary` has none, so it maps to BYTES.
  binary: 'BYTES', varbinary: 'BYTES', blob: 'BLOB', bytea: 'BYTEA',
};

function simpleType(raw: string): string | undefined {
  return SIMPLE[raw.trim().toLowerCase()];
}

/**
 * Maps a Glue/Athena (`array<string>`, `decimal(18,2)`) or DuckDB (`VARCHAR[]`, `STRUCT(...)`) type to
 * OpenMetadata's upper-case dataType enum; the raw text is kept in `dataTypeDisplay`. Unknown → UNKNOWN.
 */
export function toOmColumn(name: string, rawType: string, ordinalPosition?: number): OmColumn {
  const raw = rawType.trim();
  const lower = raw.toLowerCase();
  const base: OmColumn = { name, dataType: 'UNKNOWN', dataTypeDisplay: raw, ...(ordinalPosition ? { ordinalPosition } : {}) };
  let m: RegExpExecArray | null;
  if ((m = /^(varchar|char|character varying|character)\s*\(\s*(\d+)\s*\)$/.exec(lower))) {
    return { ...base, dataType: m[1]!.startsWith('char') && m[1] !== 'character varying' ? 'CHAR' : 'VARCHAR', dataLength: Number(m[2]) };
  }
  if (lower === 'char' || lower === 'character') return { ...base, dataType: 'CHAR', dataLength: 1 };
  if ((m = /^(decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(lower))) {
    return { ...base, dataType: m[1]!.toUpperCase(), precision: Number(m[2]), scale: Number(m[3] ?? 0) };
  }
  if ((m = /^array\s*<(.+)>$/.exec(lower)) || (m = /^(.+)\[\]$/.exec(lower))) {
    return { ...base, dataType: 'ARRAY', arrayDataType: simpleType(m[1]!) ?? 'UNKNOWN' };
  }
  if (/^map\s*[<(]/.test(lower)) return { ...base, dataType: 'MAP' };
  if (/^(struct|row)\s*[<(]/.test(lower)) return { ...base, dataType: 'STRUCT' };
  if (/^union\s*[<(]/.test(lower)) return { ...base, dataType: 'UNION' };
  if (/^timestamp\s*\(\d+\)/.test(lower)) return { ...base, dataType: lower.includes('time zone') ? 'TIMESTAMPZ' : 'TIMESTAMP' };
  return { ...base, dataType: simpleType(lower) ?? 'UNKNOWN' };
}
