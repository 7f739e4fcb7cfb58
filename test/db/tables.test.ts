// Every Base resource type has its table, with the mirror's bookkeeping columns,
// typed columns as the payload names them, and no foreign keys.
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, TABLES } from '../../src/resource-types.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const db = useTestDatabase();
const client = () => new pg.Client({ connectionString: db.url });
let columns: Map<string, Map<string, string>>;

beforeAll(async () => {
  const c = client();
  await c.connect();
  const { rows } = await c.query<{ table_name: string; column_name: string; udt_name: string }>(
    `SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  await c.end();
  columns = new Map();
  for (const row of rows) {
    if (!columns.has(row.table_name)) columns.set(row.table_name, new Map());
    columns.get(row.table_name)!.set(row.column_name, row.udt_name);
  }
});

describe('the data model', () => {
  it.each(RESOURCE_TYPES.map((type) => [type, TABLES[type]]))('%s lives in %s with raw, revision and a tombstone', (_type, table) => {
    const cols = columns.get(table);
    expect(cols, `table ${table}`).toBeDefined();
    expect(cols!.get('raw')).toBe('jsonb');
    expect(cols!.get('raw_text')).toBe('text');
    expect(cols!.get('revision')).toBe('int8');
    expect(cols!.get('deleted_at')).toBe('timestamptz');
    expect(cols!.get('synced_at')).toBe('timestamptz');
  });

  it('covers every type of the upstream notes', () => {
    // The notes sit beside the repository in this workplace; a bare clone has only our own list.
    const notes = new URL('../../../shared/upstream/NOTES.md', import.meta.url);
    if (!existsSync(notes)) {
      console.warn('shared/upstream/NOTES.md not found beside the repository: checked our own list only');
      return;
    }
    const listed = [...readFileSync(notes, 'utf8').matchAll(/^\| ([a-z_, ]+) \| (?:id|deal_id)/gm)].flatMap((m) =>
      m[1]!.split(',').map((t) => t.trim()),
    );
    expect(listed.length).toBeGreaterThan(15);
    expect([...RESOURCE_TYPES].sort()).toEqual([...new Set(listed)].sort());
  });

  it('uses 64-bit ids, timestamptz, numeric money, jsonb nested values and text[] tags', () => {
    const deals = columns.get('deals')!;
    expect(deals.get('id')).toBe('int8');
    expect(deals.get('stage_id')).toBe('int8');
    expect(deals.get('value')).toBe('numeric');
    expect(deals.get('created_at')).toBe('timestamptz');
    expect(deals.get('custom_fields')).toBe('jsonb');
    expect(deals.get('tags')).toBe('_text');
    expect(columns.get('contacts')!.get('billing_address')).toBe('jsonb');
    expect(columns.get('calls')!.get('associated_deal_ids')).toBe('_int8');
    expect(columns.get('line_items')!.get('price')).toBe('numeric');
  });

  it('has rejected_items: the item as text, what it names, why and when', () => {
    expect(Object.fromEntries(columns.get('rejected_items')!)).toEqual({
      id: 'int8', key: 'text', type: 'text', base_id: 'text', revision: 'int8', ack_key: 'text', error: 'text', raw_text: 'text', received_at: 'timestamptz',
    });
  });

  it('has other_resources, change_events and sync_state', () => {
    expect([...columns.get('other_resources')!.keys()].sort()).toEqual(['deleted_at', 'id', 'raw', 'raw_text', 'revision', 'synced_at', 'type']);
    expect(columns.get('change_events')!.get('seq')).toBe('int8');
    expect([...columns.get('change_events')!.keys()]).toEqual(
      expect.arrayContaining(['type', 'resource_id', 'kind', 'revision', 'occurred_at']),
    );
    expect(columns.get('sync_state')!.get('device_uuid')).toBe('uuid');
  });
});

describe('keys and indexes', () => {
  let c: pg.Client;
  beforeAll(async () => {
    c = client();
    await c.connect();
  });
  afterAll(() => c.end());

  it('declares no foreign keys: items arrive in any order', async () => {
    const { rowCount } = await c.query(`SELECT 1 FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'`);
    expect(rowCount).toBe(0);
  });

  it('keys associated_contacts by their id, as every table', async () => {
    const { rows } = await c.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = 'associated_contacts'::regclass AND i.indisprimary ORDER BY a.attname`,
    );
    expect(rows.map((r) => r.attname)).toEqual(['id']);
  });

  it('indexes every reference and the polymorphic resource pair', async () => {
    const { rows } = await c.query<{ tablename: string; indexdef: string }>(`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`);
    const indexed = (table: string, cols: string) =>
      rows.some((r) => r.tablename === table && r.indexdef.replaceAll('"', '').includes(`(${cols})`));
    const references: Array<[string, string]> = [
      ['leads', 'owner_id'], ['leads', 'creator_id'], ['leads', 'source_id'],
      ['contacts', 'contact_id'], ['contacts', 'parent_organization_id'], ['contacts', 'owner_id'],
      ['deals', 'stage_id'], ['deals', 'contact_id'], ['deals', 'organization_id'], ['deals', 'owner_id'],
      ['deals', 'loss_reason_id'], ['deals', 'source_id'], ['deals', 'last_stage_change_by_id'],
      ['stages', 'pipeline_id'], ['users', 'reports_to'], ['orders', 'deal_id'],
      ['line_items', 'order_id'], ['line_items', 'product_id'], ['tasks', 'owner_id'], ['calls', 'user_id'],
      ['associated_contacts', 'contact_id'], ['associated_contacts', 'deal_id, contact_id'],
      ['notes', 'resource_type, resource_id'], ['tasks', 'resource_type, resource_id'], ['calls', 'resource_type, resource_id'],
    ];
    for (const [table, cols] of references) expect(indexed(table, cols), `${table}(${cols})`).toBe(true);
  });
});
