// Query fixtures: each `queries/*.graphql` runs against a deterministic synced world and must
// answer exactly the `.json` next to it. `UPDATE_FIXTURES=1 npx vitest run test/graphql/query-fixtures`
// rewrites the `.json` files (review the diff before checking it in).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useSyncedWorld } from './fixture.ts';

const UPDATE = process.env.UPDATE_FIXTURES === '1';
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queries');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.graphql')).sort();

// No live activity: every value is generated from the seed (timestamps included), except
// syncedAt/deletedAt and the sync's own times, which the fixtures do not select.
const w = useSyncedWorld({ world: { total: 2000 }, seed: 1 });

describe('query fixtures', () => {
  it('has fixtures to run', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(5);
  });

  it.each(FIXTURES)('%s', async (file) => {
    const query = readFileSync(path.join(DIR, file), 'utf8');
    const expectedFile = path.join(DIR, file.replace(/\.graphql$/, '.json'));
    const { status, body } = await w.request(query);
    // A fixture shows a working query: no errors, ever (also not written by UPDATE_FIXTURES).
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(status).toBe(200);
    if (UPDATE) {
      writeFileSync(expectedFile, `${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    if (!existsSync(expectedFile)) throw new Error(`${path.basename(expectedFile)} is missing: run with UPDATE_FIXTURES=1 to write it, then review it`);
    expect(body).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
});

describe('global ids round-trip', () => {
  it('node(id) and nodes(ids) answer every type of object its connections list', async () => {
    const { __schema } = await w.query('{ __schema { queryType { fields { name type { kind name ofType { name } } } } } }');
    const connections: string[] = __schema.queryType.fields
      .filter((f: any) => /Connection$/.test(f.type.ofType?.name ?? f.type.name ?? ''))
      .map((f: any) => f.name);
    expect(connections.length).toBeGreaterThanOrEqual(15);

    const listed: Array<{ __typename: string; id: string; baseId: unknown }> = [];
    for (const name of connections) {
      const data = await w.query(`{ ${name}(first: 2) { edges { node { __typename id } } } }`);
      listed.push(...data[name].edges.map((e: any) => e.node));
    }
    // Every type the world has.
    expect(new Set(listed.map((n) => n.__typename)).size).toBeGreaterThanOrEqual(15);
    const ids = listed.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);

    const { nodes } = await w.query('query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }', { ids });
    expect(nodes).toEqual(listed.map(({ __typename, id }) => ({ __typename, id })));
    for (const { __typename, id } of listed) {
      const { node } = await w.query('query ($id: ID!) { node(id: $id) { __typename id } }', { id });
      expect(node).toEqual({ __typename, id });
    }
  });

  it('answers null for an id of nothing, and an error for an id that is not one', async () => {
    const unknown = Buffer.from('Deal:1').toString('base64');
    expect(await w.query(`{ node(id: "${unknown}") { id } }`)).toEqual({ node: null });
    const result = await w.request('{ node(id: "not-an-id") { id } }');
    expect(result.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.body)).not.toMatch(/"stack"/);
  });
});
