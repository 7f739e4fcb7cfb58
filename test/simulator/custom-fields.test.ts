// Custom fields: the definitions endpoint (read scope, REST envelope, pages) and values in
// payloads as Base sends them, changed by live activity.
import { describe, expect, it } from 'vitest';
import { CUSTOM_FIELD_TYPES, type CustomFieldDefinition } from '../../src/simulator/index.ts';
import { startSimulator, type ErrorBody, type SimClient } from './fixture.ts';

interface DefinitionsBody {
  items: Array<{ data: CustomFieldDefinition; meta: { type: string } }>;
  meta: { type: string; count: number; links: { self: string; next_page?: string } };
}

const definitions = (c: SimClient, type: string, query = '') => fetch(`${c.url}/v2/${type}/custom_fields${query}`, { headers: c.headers() });

/** Every definition of a type, following next_page links. */
async function allDefinitions(c: SimClient, type: string): Promise<CustomFieldDefinition[]> {
  const out: CustomFieldDefinition[] = [];
  let url: string | undefined = `${c.url}/v2/${type}/custom_fields?per_page=5`;
  while (url) {
    const res: Response = await fetch(url, { headers: c.headers() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as DefinitionsBody;
    expect(body.meta.count).toBe(body.items.length);
    for (const item of body.items) {
      expect(item.meta.type).toBe('custom_field');
      out.push(item.data);
    }
    url = body.meta.links.next_page;
  }
  return out;
}

/** Whether a value has the form Base sends for a field of `type`. */
function fits(type: string, value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) && value.includes('T');
    case 'bool':
      return typeof value === 'boolean';
    case 'multi_select_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'address':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { city?: unknown }).city === 'string';
    default:
      return typeof value === 'string';
  }
}

describe('custom fields in the simulator', () => {
  it('defines fields of every type for leads, contacts and deals, with spaces and non-ASCII names', async () => {
    const c = await startSimulator();
    const types = new Set<string>();
    for (const resource of ['lead', 'contact', 'deal']) {
      const list = await allDefinitions(c, resource);
      expect(list.length).toBeGreaterThan(5);
      expect(new Set(list.map((d) => d.id)).size).toBe(list.length);
      for (const d of list) {
        expect(d.resource_type).toBe(resource);
        types.add(d.type);
      }
      expect(list.some((d) => d.name.includes(' '))).toBe(true);
      expect(list.some((d) => /[^\x00-\x7f]/.test(d.name))).toBe(true);
      if (resource === 'contact') expect(list.every((d) => typeof d.for_contact === 'boolean' && typeof d.for_organisation === 'boolean')).toBe(true);
    }
    expect([...types].sort()).toEqual([...CUSTOM_FIELD_TYPES].sort());
  });

  it('serves pages: per_page and page, with a next_page link until the last', async () => {
    const c = await startSimulator();
    const first = (await (await definitions(c, 'deal', '?per_page=2')).json()) as DefinitionsBody;
    expect(first.items).toHaveLength(2);
    expect(first.meta.links.next_page).toContain('page=2');
    const all = await allDefinitions(c, 'deal');
    const last = (await (await definitions(c, 'deal', `?page=${all.length}&per_page=1`)).json()) as DefinitionsBody;
    expect(last.items.map((i) => i.data)).toEqual([all.at(-1)]);
    expect(last.meta.links.next_page).toBeUndefined();
    expect((await definitions(c, 'deal', '?per_page=101')).status).toBe(400);
    expect((await definitions(c, 'note')).status).toBe(404);
  });

  it('answers 403 to a token with only the sync scope, which still syncs', async () => {
    const c = await startSimulator({ scopes: ['sync'] });
    const res = await definitions(c, 'lead');
    expect(res.status).toBe(403);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors[0]!.error.code).toBe('forbidden');
    expect((await c.start()).status).toBe(201);
    const readOnly = await startSimulator({ scopes: ['read'] });
    expect((await readOnly.start()).status).toBe(403);
    expect((await definitions(readOnly, 'lead')).status).toBe(200);
  });

  it('sends values as Base does: typed per definition, some fields absent, numbers as strings', async () => {
    const c = await startSimulator({ world: { total: 2000 } });
    const { items } = await c.session();
    for (const resource of ['lead', 'contact', 'deal']) {
      const byName = new Map((await allDefinitions(c, resource)).map((d) => [d.name, d]));
      const objects = items.filter((i) => i.meta.type === resource).map((i) => i.data.custom_fields as Record<string, unknown>);
      expect(objects.length).toBeGreaterThan(100);
      const seen = new Map<string, number>();
      for (const fields of objects) {
        for (const [name, value] of Object.entries(fields)) {
          const definition = byName.get(name);
          expect(definition, `${resource} field ${name} is defined`).toBeDefined();
          expect(fits(definition!.type, value), `${resource} ${name} (${definition!.type}): ${JSON.stringify(value)}`).toBe(true);
          seen.set(name, (seen.get(name) ?? 0) + 1);
        }
      }
      // Every field has values, none on every object, and some objects have none at all.
      expect([...seen.keys()].sort()).toEqual([...byName.keys()].sort());
      for (const [name, n] of seen) expect(n, name).toBeLessThan(objects.length);
      expect(objects.some((f) => Object.keys(f).length === 0)).toBe(true);
    }
  });

  it('changes custom field values in live activity', async () => {
    const c = await startSimulator({ world: { total: 2000 } });
    const before = new Map((await c.session()).items.map((i) => [`${i.meta.type}:${i.data.id}`, JSON.stringify(i.data.custom_fields)]));
    c.sim.runActivity(400);
    const { items } = await c.session();
    const changed = items.filter(
      (i) => i.meta.sync.event_type === 'updated' && before.has(`${i.meta.type}:${i.data.id}`) && before.get(`${i.meta.type}:${i.data.id}`) !== JSON.stringify(i.data.custom_fields),
    );
    expect(new Set(changed.map((i) => i.meta.type))).toEqual(new Set(['lead', 'contact', 'deal']));
  });

  it('defines a new field over the control API; the endpoint lists it and objects may carry it', async () => {
    const c = await startSimulator();
    const res = await c.control('POST', '/_sim/custom_fields', { resource_type: 'deal', name: 'Délai (jours)', type: 'number' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CustomFieldDefinition;
    expect((await allDefinitions(c, 'deal')).at(-1)).toEqual(created);
    expect((await c.control('POST', '/_sim/custom_fields', { resource_type: 'deal', name: 'Délai (jours)', type: 'text' })).status).toBe(409);
    expect((await c.control('POST', '/_sim/custom_fields', { resource_type: 'deal', name: 'x', type: 'float' })).status).toBe(400);
    const [made] = c.sim.changes([{ op: 'create', type: 'deal', data: { custom_fields: { 'Délai (jours)': '12' } } }]);
    expect(c.sim.object('deal', made!.id)!.data.custom_fields).toEqual({ 'Délai (jours)': '12' });
  });
});
