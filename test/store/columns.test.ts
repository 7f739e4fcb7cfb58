// The writer's column list matches the migrated tables: same names, same SQL types (columns
// Postgres generates, the text of money columns, are not written).
import { expect, it } from 'vitest';
import { RESOURCE_TYPES, TABLES } from '../../src/resource-types.ts';
import { COLUMNS, type ColumnKind } from '../../src/store/columns.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const UDT: Record<ColumnKind, string> = {
  bigint: 'int8', int: 'int4', numeric: 'numeric', bool: 'bool', text: 'text', timestamptz: 'timestamptz',
  date: 'date', jsonb: 'jsonb', 'text[]': '_text', 'bigint[]': '_int8',
};
const COMMON = ['id', 'raw', 'raw_text', 'revision', 'deleted_at', 'synced_at'];

it.each(RESOURCE_TYPES)('%s: every column of the table is written, with its type', async (type) => {
  const { rows } = await withClient(db.url, (c) =>
    c.query<{ column_name: string; udt_name: string }>(`SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER'`, [TABLES[type]]),
  );
  const inDb = Object.fromEntries(rows.map((r) => [r.column_name, r.udt_name]));
  const written = Object.fromEntries(COLUMNS[type].map(([name, kind]) => [name, UDT[kind]]));
  for (const name of COMMON) if (name in inDb && !(name in written)) written[name] = inDb[name]!;
  expect(written).toEqual(inDb);
});
