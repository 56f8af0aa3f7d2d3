import { quoteLiteral } from '../../domain/identifiers.js';

/**
 * Column generators for synthetic source data, as SQL over a row number `i`. Every value derives
 * from `hash(i, seed, column)`, so the same table + snapshot + row always gets the same value
 * (no randomness), while different tables and snapshots differ.
 */
export type SeedFamily = 'IBE' | 'MIACS' | 'OTHER';

export function familyOf(table: string): SeedFamily {
  if (table.startsWith('IBE_')) return 'IBE';
  if (table.startsWith('MIACS_')) return 'MIACS';
  return 'OTHER';
}

const customerId = (rowExpr: string) => `'CU' || lpad((${rowExpr})::VARCHAR, 8, '0')`;

/** `SELECT` list (without SELECT) for one infobase table of one family. */
export function infobaseColumns(family: SeedFamily, seed: string): string {
  const h = (column: string) => `hash(i, ${quoteLiteral(seed)}, '${column}')`;
  const pick = (column: string, values: string[]) =>
    `[${values.map(quoteLiteral).join(', ')}][(1 + ${h(column)} % ${values.length})::INTEGER]`;
  const columns: Record<SeedFamily, string[]> = {
    IBE: [
      `${pick('segment', ['A1', 'B2', 'C3', 'D4', 'E5', 'F6'])} AS ibe_segment`,
      `(1 + ${h('hh')} % 8)::INTEGER AS household_size`,
      `${pick('income', ['<25K', '25-50K', '50-100K', '100-150K', '150K+'])} AS income_band`,
      `(${h('worth')} % 5000000)::BIGINT - 250000 AS net_worth`,
      `round((${h('score')} % 1000000) / 1000000.0, 6)::DOUBLE AS propensity_score`,
      `CASE WHEN ${h('lp')} % 17 = 0 THEN NULL ELSE DATE '2020-01-01' + (${h('lp')} % 2000)::INTEGER END AS last_purchase_dt`,
      `${h('home')} % 3 = 0 AS is_homeowner`,
    ],
    MIACS: [
      `${pick('cat', ['AUTO', 'TRAVEL', 'FINANCE', 'RETAIL', 'HEALTH', 'MEDIA', 'SPORTS'])} AS miacs_category`,
      `${pick('channel', ['web', 'store', 'mobile', 'catalog'])} AS preferred_channel`,
      `round((${h('interest')} % 100000) / 1000.0, 3)::DOUBLE AS interest_score`,
      `(1 + ${h('rank')} % 100)::INTEGER AS affinity_rank`,
      `(${h('spend')} % 100000000)::BIGINT AS spend_cents`,
      `DATE '2018-06-01' + (${h('seen')} % 3000)::INTEGER AS first_seen_dt`,
      `${h('active')} % 4 <> 0 AS is_active`,
      `(${h('visits')} % 365)::INTEGER AS visits_last_year`,
    ],
    OTHER: [
      `'ATTR_' || lpad((${h('code')} % 1000)::VARCHAR, 3, '0') AS attr_code`,
      `(${h('value')} % 10000)::INTEGER AS attr_value`,
      `round((${h('weight')} % 10000) / 100.0, 2)::DOUBLE AS attr_weight`,
      `(${h('total')} % 1000000000)::BIGINT AS attr_total`,
      `DATE '2021-01-01' + (${h('upd')} % 1500)::INTEGER AS updated_dt`,
      `${h('ver')} % 2 = 0 AS is_verified`,
    ],
  };
  return [`${customerId('i')} AS customer_user_id`, ...columns[family]].join(',\n  ');
}

/** `SELECT` list for `addressable_ids`: `perCustomer` identifier rows per customer (row `i`). */
export function addressableColumns(seed: string, perCustomer: number): string {
  const h = (column: string) => `hash(i, ${quoteLiteral(seed)}, '${column}')`;
  const types = ['MAID', 'EMAIL_SHA256', 'IP_V4', 'CTV_ID', 'PHONE_SHA256'].map(quoteLiteral).join(', ');
  return [
    `${customerId(`i // ${perCustomer}`)} AS customer_user_id`,
    `[${types}][(1 + (i % ${perCustomer} + ${h('type')} % 2) % 5)::INTEGER] AS id_type`,
    `md5(i::VARCHAR || ${quoteLiteral(seed)}) AS id_value`,
    `['panel', 'partner', 'first_party'][(1 + ${h('src')} % 3)::INTEGER] AS id_source`,
    `round((${h('conf')} % 1000) / 1000.0, 3)::DOUBLE AS confidence`,
    `DATE '2019-01-01' + (${h('seen')} % 2500)::INTEGER AS first_seen_dt`,
    `i % ${perCustomer} = 0 AS is_primary`,
  ].join(',\n  ');
}
