// A seeded world is a believable CRM: the fields of NOTES.md, every one present, and every
// reference pointing at an existing object of the right kind.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/index.ts';
import { SIMULATOR_REVISIONS } from '../fixtures/revisions.ts';

const FIELDS: Record<string, string[]> = {
  user: ['id', 'name', 'email', 'role', 'status', 'confirmed', 'timezone', 'phone_number', 'team_name', 'reports_to', 'group', 'roles', 'deleted_at', 'created_at', 'updated_at'],
  lead: ['id', 'creator_id', 'owner_id', 'source_id', 'unqualified_reason_id', 'first_name', 'last_name', 'organization_name', 'status', 'title', 'description', 'industry', 'website', 'email', 'phone', 'mobile', 'fax', 'twitter', 'facebook', 'linkedin', 'skype', 'address', 'tags', 'custom_fields', 'created_at', 'updated_at'],
  contact: ['id', 'creator_id', 'owner_id', 'contact_id', 'parent_organization_id', 'is_organization', 'name', 'first_name', 'last_name', 'customer_status', 'prospect_status', 'title', 'description', 'industry', 'website', 'email', 'phone', 'mobile', 'fax', 'twitter', 'facebook', 'linkedin', 'skype', 'address', 'billing_address', 'shipping_address', 'tags', 'custom_fields', 'created_at', 'updated_at'],
  deal: ['id', 'creator_id', 'owner_id', 'stage_id', 'contact_id', 'organization_id', 'source_id', 'loss_reason_id', 'unqualified_reason_id', 'last_stage_change_by_id', 'name', 'value', 'currency', 'hot', 'last_stage_change_at', 'last_activity_at', 'estimated_close_date', 'customized_win_likelihood', 'dropbox_email', 'added_at', 'tags', 'custom_fields', 'created_at', 'updated_at'],
  pipeline: ['id', 'name', 'disabled', 'created_at', 'updated_at'],
  stage: ['id', 'pipeline_id', 'name', 'category', 'likelihood', 'position', 'active', 'created_at', 'updated_at'],
  source: ['id', 'creator_id', 'name', 'resource_type', 'created_at', 'updated_at'],
  lead_source: ['id', 'creator_id', 'name', 'resource_type', 'created_at', 'updated_at'],
  deal_source: ['id', 'creator_id', 'name', 'resource_type', 'created_at', 'updated_at'],
  loss_reason: ['id', 'creator_id', 'name', 'created_at', 'updated_at'],
  tag: ['id', 'creator_id', 'name', 'resource_type', 'created_at', 'updated_at'],
  note: ['id', 'creator_id', 'resource_type', 'resource_id', 'content', 'is_important', 'type', 'tags', 'created_at', 'updated_at'],
  task: ['id', 'creator_id', 'owner_id', 'resource_type', 'resource_id', 'content', 'completed', 'completed_at', 'due_date', 'remind_at', 'overdue', 'created_at', 'updated_at'],
  // `id` is the simulator's addition, so that deletes can name an association.
  associated_contact: ['id', 'deal_id', 'contact_id', 'role', 'created_at', 'updated_at'],
  product: ['id', 'name', 'description', 'sku', 'active', 'max_discount', 'max_markup', 'cost', 'cost_currency', 'prices', 'created_at', 'updated_at'],
  order: ['id', 'deal_id', 'discount', 'created_at', 'updated_at'],
  line_item: ['id', 'order_id', 'product_id', 'value', 'variation', 'currency', 'quantity', 'price', 'name', 'sku', 'description', 'created_at', 'updated_at'],
  call: ['id', 'user_id', 'outcome_id', 'resource_type', 'resource_id', 'associated_deal_ids', 'summary', 'recording_url', 'duration', 'phone_number', 'incoming', 'missed', 'made_at', 'external_id', 'created_at', 'updated_at'],
};

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('world consistency', () => {
  const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 20_000 }, seed: 11 });
  const objects = [...sim.objects()];
  const byType = new Map<string, Map<number, Record<string, unknown>>>();
  for (const o of objects) {
    if (!byType.has(o.type)) byType.set(o.type, new Map());
    byType.get(o.type)!.set(o.id, o.data);
  }
  const get = (type: string, id: unknown): Record<string, unknown> | undefined => (typeof id === 'number' ? byType.get(type)?.get(id) : undefined);
  const refOk = (type: string, id: unknown): boolean => id === null || get(type, id) !== undefined;

  it('has every type of the stream, plus a call_outcome and a visit type', () => {
    for (const type of [...Object.keys(FIELDS), 'call_outcome', 'visit']) expect(byType.get(type)?.size, type).toBeGreaterThan(0);
  });

  it('every payload has exactly the fields of NOTES.md', () => {
    for (const o of objects) {
      const fields = FIELDS[o.type];
      if (fields) expect(Object.keys(o.data).sort(), o.type).toEqual([...fields].sort());
      else expect(o.data).toMatchObject({ id: o.id, created_at: expect.stringMatching(TIME), updated_at: expect.stringMatching(TIME) });
    }
  });

  it('ids and revisions are positive safe integers; deals, notes and calls have ids beyond 2^31', () => {
    for (const o of objects) {
      expect(Number.isSafeInteger(o.id) && o.id > 0).toBe(true);
      expect(Number.isInteger(o.revision) && o.revision > 0).toBe(true);
      expect(o.data.id).toBe(o.id);
    }
    for (const type of ['deal', 'note', 'call']) for (const id of byType.get(type)!.keys()) expect(id).toBeGreaterThan(2 ** 31);
  });

  it('timestamps are ISO-8601 UTC seconds and updated_at is not before created_at', () => {
    for (const o of objects) {
      for (const [k, v] of Object.entries(o.data)) if (k.endsWith('_at') && v !== null) expect(v, `${o.type}.${k}`).toMatch(TIME);
      expect(Date.parse(o.data.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(o.data.created_at as string));
    }
  });

  it('references point at existing objects of the right kind', () => {
    const users = ['creator_id', 'owner_id', 'user_id', 'last_stage_change_by_id', 'reports_to'];
    for (const o of objects) {
      const d = o.data;
      for (const f of users) if (f in d) expect(refOk('user', d[f]), `${o.type}.${f}`).toBe(true);
      if (o.type === 'lead' || o.type === 'deal') expect(refOk('source', d.source_id)).toBe(true);
      if (o.type === 'stage') expect(get('pipeline', d.pipeline_id)).toBeDefined();
      if ('resource_type' in d && ['note', 'task', 'call', 'visit'].includes(o.type)) {
        expect(['lead', 'contact', 'deal']).toContain(d.resource_type);
        expect(get(d.resource_type as string, d.resource_id), `${o.type}.resource_id`).toBeDefined();
      }
      if (o.type === 'contact') {
        if (d.contact_id !== null) expect(get('contact', d.contact_id)?.is_organization).toBe(true);
        if (d.parent_organization_id !== null) expect(get('contact', d.parent_organization_id)?.is_organization).toBe(true);
        if (d.is_organization) expect([d.first_name, d.last_name, d.contact_id]).toEqual([null, null, null]);
      }
      if (o.type === 'deal') {
        const stage = get('stage', d.stage_id)!;
        expect(stage).toBeDefined();
        expect(get('contact', d.contact_id)).toBeDefined();
        if (d.organization_id !== null) expect(get('contact', d.organization_id)?.is_organization).toBe(true);
        if (stage.category === 'lost') expect(get('loss_reason', d.loss_reason_id)).toBeDefined();
        else expect(d.loss_reason_id).toBeNull();
        expect(d.currency).toMatch(/^[A-Z]{3}$/);
        expect(Number.isFinite(Number(d.value))).toBe(true);
      }
      if (o.type === 'associated_contact') {
        expect(get('deal', d.deal_id)).toBeDefined();
        expect(get('contact', d.contact_id)?.is_organization).toBe(false);
      }
      if (o.type === 'order') expect(get('deal', d.deal_id)).toBeDefined();
      if (o.type === 'line_item') {
        expect(get('order', d.order_id)).toBeDefined();
        const product = get('product', d.product_id)!;
        expect(product).toBeDefined();
        expect([d.name, d.sku]).toEqual([product.name, product.sku]);
      }
      if (o.type === 'call') {
        expect(refOk('call_outcome', d.outcome_id)).toBe(true);
        for (const dealId of d.associated_deal_ids as unknown[]) expect(get('deal', dealId)).toBeDefined();
        expect(typeof d.phone_number).toBe('string');
      }
    }
  });

  it('values have the documented shapes', () => {
    const deals = [...byType.get('deal')!.values()];
    expect(deals.some((d) => typeof d.value === 'number')).toBe(true);
    expect(deals.some((d) => typeof d.value === 'string' && /^\d+\.\d\d$/.test(d.value))).toBe(true);
    for (const o of objects) {
      const d = o.data;
      if ('tags' in d) expect((d.tags as unknown[]).every((t) => typeof t === 'string')).toBe(true);
      if ('custom_fields' in d) expect(d.custom_fields).toBeTypeOf('object');
      for (const f of ['address', 'billing_address', 'shipping_address']) {
        if (d[f] != null) expect(Object.keys(d[f] as object).sort()).toEqual(['city', 'country', 'line1', 'postal_code', 'state']);
      }
      if (o.type === 'user') {
        expect(d.group).toEqual({ id: expect.any(Number), name: expect.any(String) });
        expect((d.roles as unknown[]).length).toBeGreaterThan(0);
      }
      if (o.type === 'product') for (const p of d.prices as Array<Record<string, unknown>>) expect(Object.keys(p).sort()).toEqual(['amount', 'currency']);
    }
  });

  it('objects created later reference live objects, not deleted ones', () => {
    const s = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 3000 }, seed: 4 });
    const contacts = [...s.objects('contact')];
    // Delete most people: a new deal must still name a live one.
    s.changes(contacts.filter((c) => !c.data.is_organization).slice(0, -20).map((c) => ({ op: 'delete' as const, type: 'contact', id: c.id })));
    const results = s.changes(Array.from({ length: 50 }, () => ({ op: 'create' as const, type: 'deal' })));
    for (const { id } of results) {
      const deal = s.object('deal', id)!.data;
      expect(s.object('contact', deal.contact_id as number)?.data.is_organization).toBe(false);
      expect(s.object('stage', deal.stage_id as number)).toBeDefined();
      expect(s.object('user', deal.owner_id as number)).toBeDefined();
    }
  });
});
