// The gateway learns leads', contacts' and deals' custom fields: from Base's definitions when
// the token may read them, from the synced values alone when it may not; fields added upstream
// later appear; a field whose values change type is reported as mixed and still filters as text.
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL } from '../../src/server/graphql.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { eventually } from '../fixtures/gateway.ts';
import { useTestDatabase, type TestDatabase } from '../fixtures/database.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';
import { post } from '../graphql/fixture.ts';

const DEFINITIONS = /* GraphQL */ `
  query ($type: CustomFieldResourceType!) {
    customFieldDefinitions(type: $type) { name type source count valueTypes baseId choices forContact forOrganization }
  }
`;

interface Definition {
  name: string;
  type: string;
  source: string;
  count: number;
  valueTypes: string[];
  baseId: number | null;
  choices: string[] | null;
  forContact: boolean | null;
  forOrganization: boolean | null;
}

async function gql(f: SyncFixture, query: string, variables: Record<string, unknown> = {}) {
  const { status, body } = await post(createGraphQL({ prisma: f.prisma, apiKeys: [], logger: silentLogger() }), query, variables);
  if (status !== 200 || body.errors) throw new Error(`query failed (${status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

const definitionsOf = async (f: SyncFixture, type: string): Promise<Definition[]> => (await gql(f, DEFINITIONS, { type: type.toUpperCase() })).customFieldDefinitions;

/** How many live objects of the truth carry a (non-null) value for each field. */
function truthCounts(sim: Simulator, type: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const object of sim.objects(type)) {
    for (const [name, value] of Object.entries((object.data.custom_fields ?? {}) as Record<string, unknown>)) {
      if (value !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return counts;
}

/** One sync session, and the discovery of custom fields after it. */
async function syncOnce(f: SyncFixture): Promise<void> {
  const engine = f.engine();
  await engine.runOnce();
  await engine.customFieldsDiscovered();
}

async function fixture(db: TestDatabase, scopes?: ReadonlyArray<'sync' | 'read'>): Promise<SyncFixture> {
  const f = await startSyncFixture(db, { world: { total: 1500 }, seed: 9, ...(scopes ? { scopes } : {}) });
  await syncOnce(f);
  return f;
}

describe('with a token that may read the definitions', () => {
  const db = useTestDatabase();
  let f: SyncFixture;
  beforeAll(async () => {
    f = await fixture(db);
  });

  it("lists Base's definitions with their types and how many objects carry each; a field defined later appears", async () => {
    for (const type of ['lead', 'contact', 'deal'] as const) {
      const listed = await definitionsOf(f, type);
      const truth = truthCounts(f.sim, type);
      const defined = f.sim.customFieldDefinitions(type);
      expect(listed.map((d) => d.name)).toEqual(defined.map((d) => d.name).sort());
      for (const d of defined) {
        const l = listed.find((x) => x.name === d.name)!;
        expect(l, d.name).toMatchObject({ type: d.type.toUpperCase(), source: 'DEFINITIONS', count: truth.get(d.name) ?? 0, baseId: d.id, choices: d.choices ?? null });
        if (type === 'contact') expect([l.forContact, l.forOrganization]).toEqual([d.for_contact, d.for_organisation]);
      }
    }

    // Defined upstream while the gateway runs, then given to a deal: it appears, typed by its definition.
    const engine = f.engine({ customFieldRefreshMs: 50 });
    void engine.run();
    f.sim.addCustomField('deal', { name: 'Délai (jours)', type: 'text' });
    f.sim.changes([{ op: 'create', type: 'deal', data: { custom_fields: { 'Délai (jours)': '12' } } }]);
    const added = await eventually(async () => (await definitionsOf(f, 'deal')).find((d) => d.name === 'Délai (jours)' && d.source === 'DEFINITIONS'));
    expect(added).toMatchObject({ type: 'TEXT', count: 1, valueTypes: ['NUMBER'] });
    await engine.stop();
  });

  it('gives number and date fields an expression index, and the text and lists the GIN index', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'deals' AND indexdef LIKE '%custom_fields%'`);
    await client.end();
    const defs = rows.map((r) => r.indexdef);
    expect(defs.some((d) => d.includes('gin') && d.includes('jsonb_path_ops'))).toBe(true);
    expect(defs.some((d) => d.includes(`bsg_cf_number((custom_fields -> 'Budget'::text))`))).toBe(true);
    expect(defs.some((d) => d.includes(`bsg_cf_time((custom_fields -> 'Renewal'::text))`))).toBe(true);
    expect(defs.some((d) => d.includes(`'Region'`))).toBe(false);
  });
});

describe('with a token that may only sync', () => {
  const db = useTestDatabase();

  it('infers each type from the values, counts them, and reports a field whose values change type as mixed', async () => {
    const f = await fixture(db, ['sync']);
    const listed = await definitionsOf(f, 'deal');
    const truth = truthCounts(f.sim, 'deal');
    expect(listed.map((d) => d.name)).toEqual([...truth.keys()].sort());
    const typeOf = (name: string) => listed.find((d) => d.name === name);
    for (const d of listed) expect(d, d.name).toMatchObject({ source: 'VALUES', count: truth.get(d.name), baseId: null, choices: null });
    expect(typeOf('Budget')).toMatchObject({ type: 'NUMBER', valueTypes: ['NUMBER'] });
    expect(typeOf('Renewal')!.type).toBe('DATE');
    expect(typeOf('Last contacted')!.type).toBe('DATETIME');
    expect(typeOf('Newsletter')!.type).toBe('BOOL');
    expect(typeOf('Interests')!.type).toBe('MULTI_SELECT_LIST');
    expect(typeOf('Billing address')!.type).toBe('ADDRESS');
    expect(typeOf('Region')!.type).toBe('STRING');
    expect(typeOf('Priorité')!.type).toBe('STRING');

    // A new field, numbers first; then one of its values is text.
    const made = f.sim.changes([
      { op: 'create', type: 'deal', data: { name: 'Scored deal', custom_fields: { Score: '12' } } },
      { op: 'create', type: 'deal', data: { name: 'Scored deal', custom_fields: { Score: '40' } } },
    ]);
    await syncOnce(f);
    expect((await definitionsOf(f, 'deal')).find((d) => d.name === 'Score')).toMatchObject({ type: 'NUMBER', count: 2, source: 'VALUES' });
    f.sim.changes([{ op: 'update', type: 'deal', id: made[1]!.id, data: { custom_fields: { Score: 'very high' } } }]);
    await syncOnce(f);
    expect((await definitionsOf(f, 'deal')).find((d) => d.name === 'Score')).toMatchObject({ type: 'MIXED', count: 2, valueTypes: ['NUMBER', 'STRING'] });

    const deals = await gql(
      f,
      `{ eq: deals(where: { customFields: [{ name: "Score", eq: "very high" }] }) { edges { node { baseId customString(name: "Score") customNumber(name: "Score") } } }
         text: deals(where: { customFields: [{ name: "Score", contains: "HIGH" }] }) { totalCount }
         number: deals(where: { customFields: [{ name: "Score", lt: "20" }] }) { edges { node { baseId customNumber(name: "Score") } } } }`,
    );
    expect(deals.eq.edges).toEqual([{ node: { baseId: made[1]!.id, customString: 'very high', customNumber: null } }]);
    expect(deals.text.totalCount).toBe(1);
    expect(deals.number.edges).toEqual([{ node: { baseId: made[0]!.id, customNumber: '12' } }]);
  });
});
