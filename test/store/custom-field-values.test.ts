// The SQL functions that read custom field values (bsg_cf_number, bsg_cf_time, bsg_cf_kind) and
// their JavaScript twins agree on every value, odd ones included, and never fail.
import { expect, it } from 'vitest';
import { kindOf, numberOf, timeOf } from '../../src/store/custom-field-values.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/postgres-admin.ts';

const db = useTestDatabase();

const VALUES: unknown[] = [
  '50000', '1250.50', '-3', '-0.5', '007', '1e3', '1,200', ' 12', '12 ', '+5', '.5', '5.', '', 'abc', '١٢', '9'.repeat(1000), '9'.repeat(1001),
  50000, 12.75, -1, 0, 1e21,
  '2025-01-31', '2024-02-29', '2023-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '0000-01-01', '0001-01-01', '0099-12-31', '9999-12-31',
  '2025-01-31T10:00:00Z', '2025-01-31T10:00Z', '2025-01-31T10:00', '2025-01-31T23:59:59.123456789+02:00', '2025-01-31T23:59:59.123456+02:00', '2025-01-31T10:00:00-14:00',
  '2025-01-31T10:00:00+15:00', '2025-01-31T24:00:00Z', '2025-01-31T10:60:00Z', '2025-01-31T10:00:60Z', '2025-01-31 10:00:00Z', '2025-1-3',
  '2025-01-31T10:00:00.5Z', '2025-01-31T10:00:00+0200', 'T10:00',
  true, false, null, ['a', 'b'], [], { city: 'Paris' }, {},
];

it('the SQL functions and their twins read every value alike', async () => {
  const rows = await withClient(db.url, async (c) =>
    (
      await c.query<{ number: string | null; micros: string | null; kind: string | null }>(
        `SELECT bsg_cf_number(v)::text AS number, (extract(epoch FROM bsg_cf_time(v)) * 1000000)::bigint::text AS micros, bsg_cf_kind(v) AS kind
         FROM unnest($1::jsonb[]) WITH ORDINALITY AS x(v, i) ORDER BY i`,
        [VALUES.map((v) => JSON.stringify(v))],
      )
    ).rows,
  );
  expect(rows).toHaveLength(VALUES.length);
  const kinds = new Set<string | null>();
  VALUES.forEach((value, i) => {
    const row = rows[i]!;
    const label = JSON.stringify(value).slice(0, 60);
    const number = numberOf(value);
    expect(number === null, `${label} is a number`).toBe(row.number === null);
    if (row.number !== null) expect(number!.eq(row.number), `number of ${label}: ${number} vs ${row.number}`).toBe(true);
    expect(timeOf(value)?.toString() ?? null, `time of ${label}`).toBe(row.micros);
    expect(kindOf(value), `kind of ${label}`).toBe(row.kind);
    kinds.add(row.kind);
  });
  // The values cover every kind.
  expect([...kinds].sort()).toEqual(['address', 'bool', 'date', 'datetime', 'multi_select_list', 'number', 'string', null].sort());
});
