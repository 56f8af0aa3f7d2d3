/** OPTIMIZE … WHERE: a tiny grammar, so no raw SQL from config ever reaches an engine. */

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export interface WhereCondition {
  column: string;
  op: ComparisonOp;
  /** A string literal (as written, without quotes) or a number. */
  value: string | number;
}

const CONDITION =
  /^\s*([A-Za-z_][A-Za-z0-9_]{0,127})\s*(<=|>=|<>|!=|=|<|>)\s*(?:'([A-Za-z0-9 _:.\-/]{0,100})'|(-?\d+(?:\.\d+)?))\s*$/;

/**
 * Parses `column op literal [AND column op literal]…` (ops = != <> < <= > >=; literals: numbers or
 * single-quoted strings of letters, digits, space and `_:.-/`). Anything else — OR, functions,
 * sub-queries, comments, quotes inside literals — is refused with the reason.
 */
export function parseWhere(where: string): WhereCondition[] {
  const parts = where.split(/\s+AND\s+/i);
  return parts.map((part) => {
    const match = CONDITION.exec(part);
    if (!match) {
      throw new Error(
        `unsupported WHERE ${JSON.stringify(where)}: only "column op literal" conditions joined by AND are allowed ` +
          `(ops = != < <= > >=, literals 'text' or numbers), got ${JSON.stringify(part.trim())}`,
      );
    }
    const op = (match[2] === '<>' ? '!=' : match[2]) as ComparisonOp;
    const value = match[3] !== undefined ? match[3] : Number(match[4]);
    return { column: match[1]!, op, value };
  });
}

/** The canonical SQL text rebuilt from parsed conditions (never the raw config string). */
export function whereSql(conditions: readonly WhereCondition[]): string {
  return conditions
    .map((c) => `${c.column} ${c.op} ${typeof c.value === 'number' ? String(c.value) : `'${c.value}'`}`)
    .join(' AND ');
}
