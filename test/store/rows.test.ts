// Mapping items to rows is pure: typed values checked and converted, odd values NULL,
// the payload kept whole, a page reduced to one state per object.
import { describe, expect, it } from 'vitest';
import { columnValue, planPage, toRow, type StoreItem } from '../../src/store/rows.ts';

describe('columnValue', () => {
  it.each([
    ['bigint', 3_000_000_001, 3_000_000_001],
    ['bigint', '9007199254740993', '9007199254740993'],
    ['bigint', 1.5, null],
    ['int', 2_147_483_648, null],
    ['numeric', 1250.5, '1250.5'],
    ['numeric', ' 1250.50 ', '1250.50'],
    ['numeric', 'lots', null],
    ['bool', 'true', null],
    ['text', 42, '42'],
    ['text', { a: 1 }, null],
    ['timestamptz', '2015-05-07T11:44:01Z', '2015-05-07T11:44:01Z'],
    ['timestamptz', 'soon', null],
    ['date', '2026-02-03', '2026-02-03'],
    ['date', '2026-02-03T10:00:00Z', '2026-02-03'],
    ['text[]', ['a', 1, 'b'], ['a', 'b']],
    ['text[]', 'a', null],
    ['bigint[]', [1, 'x', 2], [1, 2]],
    ['jsonb', { line1: 'Main St' }, { line1: 'Main St' }],
    ['text', undefined, null],
  ] as const)('%s %j → %j', (kind, value, want) => {
    expect(columnValue(kind, value)).toEqual(want);
  });
});

describe('toRow', () => {
  it('maps every typed column, keeps raw, and puts a user’s own deleted_at in base_deleted_at', () => {
    const data = { id: 7, name: 'Ann', deleted_at: '2020-01-01T00:00:00Z', unknown_field: true };
    const row = toRow('user', data, 4);
    expect(row).toMatchObject({ id: 7, name: 'Ann', revision: 4, raw: data, base_deleted_at: '2020-01-01T00:00:00Z', email: null });
    expect(row).not.toHaveProperty('deleted_at');
  });

  it('keys associated contacts by their id, the pair as columns', () => {
    expect(toRow('associated_contact', { id: 3, deal_id: 1, contact_id: 2, role: 'involved' }, 1)).toMatchObject({ id: 3, deal_id: 1, contact_id: 2 });
  });
});

describe('planPage', () => {
  const item = (type: string, id: unknown, revision: number, deleted = false): StoreItem => ({ type, revision, deleted, data: { id } });

  it('keeps the last state of an object named twice, and sorts upserts, deletes and other types', () => {
    const plan = planPage([item('lead', 1, 1), item('deal', 2, 1), item('lead', 1, 0, true), item('visit', 3, 2), item('lead', undefined, 1)]);
    expect([...plan.upserts.keys()]).toEqual(['deal']);
    expect(plan.deletes.get('lead')).toEqual([1]);
    expect(plan.others).toEqual([{ type: 'visit', id: 3, revision: 2, raw: { id: 3 }, deleted: false }]);
    expect(plan.invalid).toHaveLength(1);
  });
});
