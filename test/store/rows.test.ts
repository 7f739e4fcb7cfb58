// Mapping items to rows is pure: typed values checked against what Postgres accepts for their
// column (NULL where they do not fit), the payload kept whole (its text too where jsonb cannot
// hold it), a page reduced to one state per object, and what names no object kept as rejected.
import { describe, expect, it } from 'vitest';
import { parseExact } from '../../src/store/exact-json.ts';
import { calendarDate, columnValue, isTimestamp, planPage, toRow, type StoreItem } from '../../src/store/rows.ts';

const exact = (literal: string) => parseExact(literal);

describe('columnValue', () => {
  it.each([
    ['bigint', 3_000_000_001, 3_000_000_001],
    ['bigint', '9007199254740993', '9007199254740993'],
    ['bigint', exact('9007199254740993'), '9007199254740993'],
    ['bigint', exact('9223372036854775807'), '9223372036854775807'],
    ['bigint', exact('-9223372036854775808'), '-9223372036854775808'],
    ['bigint', exact('9223372036854775808'), null],
    ['bigint', exact('12345678901234567890'), null],
    ['bigint', '12345678901234567890', null],
    ['bigint', exact('1e3'), 1000],
    ['bigint', exact('1.0'), 1],
    ['bigint', exact('1e400'), null],
    ['bigint', 1e19, null],
    ['bigint', 1.5, null],
    ['bigint', '007', 7],
    ['bigint', 'abc', null],
    ['bigint', true, null],
    ['int', 2_147_483_647, 2_147_483_647],
    ['int', -2_147_483_648, -2_147_483_648],
    ['int', 2_147_483_648, null],
    ['int', '12', 12],
    ['int', 12.5, null],
    ['numeric', 1250.5, '1250.5'],
    ['numeric', ' 1250.50 ', '1250.50'],
    ['numeric', exact('1200.00'), '1200.00'],
    ['numeric', exact('123456789012345678901234567890.12'), '123456789012345678901234567890.12'],
    ['numeric', exact('1e131071'), '1e131071'],
    ['numeric', exact('1e131072'), null],
    ['numeric', '1e-16384', null],
    ['numeric', 'NaN', null],
    ['numeric', 'Infinity', null],
    ['numeric', 'lots', null],
    ['numeric', [1], null],
    ['bool', true, true],
    ['bool', 'true', null],
    ['bool', 1, null],
    ['text', 42, '42'],
    ['text', exact('12345678901234567890'), '12345678901234567890'],
    ['text', false, 'false'],
    ['text', { a: 1 }, null],
    ['text', 'Nul\u0000Byte', null],
    ['text', 'lone \ud800', null],
    ['text', 'lone \udc00 low', null],
    ['text', 'pair \ud83d\ude00', 'pair \ud83d\ude00'],
    ['timestamptz', '2015-05-07T11:44:01Z', '2015-05-07T11:44:01Z'],
    ['timestamptz', '2015-05-07T11:44:01.123456+05:30', '2015-05-07T11:44:01.123456+05:30'],
    ['timestamptz', '2015-05-07 11:44-0800', '2015-05-07 11:44-0800'],
    ['timestamptz', '2016-12-31T23:59:60Z', '2016-12-31T23:59:60Z'],
    ['timestamptz', '1', null],
    ['timestamptz', 'soon', null],
    ['timestamptz', '2015-05-07', null],
    ['timestamptz', '2015-05-07T11:44:01', null],
    ['timestamptz', '2024-02-30T00:00:00Z', null],
    ['timestamptz', '2015-13-07T11:44:01Z', null],
    ['timestamptz', '2015-05-07T24:00:00Z', null],
    ['timestamptz', '2015-05-07T11:60:00Z', null],
    ['timestamptz', '2015-05-07T11:44:01+16:00', null],
    ['timestamptz', '0000-01-01T00:00:00Z', null],
    ['timestamptz', 'Thu, 07 May 2015 11:44:01 GMT', null],
    ['timestamptz', 1431000000, null],
    ['date', '2026-02-03', '2026-02-03'],
    ['date', '2024-02-29', '2024-02-29'],
    ['date', '2026-02-03T10:00:00Z', '2026-02-03'],
    ['date', '2026-02-03T23:30:00-05:00', '2026-02-03'],
    ['date', '2024-02-30', null],
    ['date', '2023-02-29', null],
    ['date', '1900-02-29', null],
    ['date', '2000-02-29', '2000-02-29'],
    ['date', '2026-04-31', null],
    ['date', 'Feb 3, 2026', null],
    ['date', '02/03/2026', null],
    ['date', 20260203, null],
    ['jsonb', { line1: 'Main St' }, { line1: 'Main St' }],
    ['jsonb', { line1: 'Main\u0000St' }, null],
    ['jsonb', { ['k\ud800']: 1 }, null],
    ['jsonb', [exact('1e131072')], null],
    ['text[]', ['a', 1, 'b'], ['a', 'b']],
    ['text[]', ['a', 'b\u0000'], ['a']],
    ['text[]', 'a', null],
    ['bigint[]', [1, 'x', 2], [1, 2]],
    ['bigint[]', [exact('9007199254740993'), exact('99999999999999999999')], ['9007199254740993']],
    ['text', undefined, null],
  ] as const)('%s %j → %j', (kind, value, want) => {
    expect(columnValue(kind, value)).toEqual(want);
  });
});

describe('dates and timestamps', () => {
  it('takes a date as written, whatever the time zone of the process', () => {
    // Date-based parsing would give the previous or next day depending on TZ; these never move.
    for (const [value, want] of [
      ['2026-03-01', '2026-03-01'],
      ['2026-03-01T00:30:00+14:00', '2026-03-01'],
      ['2026-02-28T23:30:00-10:00', '2026-02-28'],
    ]) {
      expect(calendarDate(value!)).toBe(want);
    }
  });

  it('checks real calendar dates and clock times', () => {
    expect(isTimestamp('2024-02-29T12:00:00Z')).toBe(true);
    expect(isTimestamp('2100-02-29T12:00:00Z')).toBe(false);
    expect(isTimestamp('2024-06-31T12:00:00Z')).toBe(false);
    expect(isTimestamp(`2024-06-30T12:00:00.${'1'.repeat(31)}Z`)).toBe(false);
  });
});

const item = (type: string, data: Record<string, unknown>, revision: number | string = 1, deleted = false): StoreItem => ({ type, revision, deleted, data, ackKey: `${type}-${String(data.id)}-${revision}` });

describe('toRow', () => {
  it('maps every typed column, keeps raw, and puts a user’s own deleted_at in base_deleted_at', () => {
    const data = { id: 7, name: 'Ann', deleted_at: '2020-01-01T00:00:00Z', unknown_field: true };
    const row = toRow('user', item('user', data, 4));
    expect(row).toMatchObject({ id: 7, name: 'Ann', revision: 4, raw: data, raw_text: null, base_deleted_at: '2020-01-01T00:00:00Z', email: null });
    expect(row).not.toHaveProperty('deleted_at');
  });

  it('keys associated contacts by their id, the pair as columns', () => {
    expect(toRow('associated_contact', item('associated_contact', { id: 3, deal_id: 1, contact_id: 2, role: 'involved' }))).toMatchObject({ id: 3, deal_id: 1, contact_id: 2 });
  });

  it('keeps the text as received where jsonb cannot hold the payload: NUL and lone surrogates become U+FFFD in raw', () => {
    const text = '{"data":{"id":1,"first_name":"Nul\\u0000Byte","custom_fields":{"k\\ud800":"v"}},"meta":{"type":"lead"}}';
    const value = JSON.parse(text) as { data: Record<string, unknown> };
    const row = toRow('lead', { ...item('lead', value.data), text: () => text });
    expect(row).toMatchObject({
      id: 1,
      first_name: null,
      custom_fields: null,
      raw: { id: 1, first_name: 'Nul\uFFFDByte', custom_fields: { 'k\uFFFD': 'v' } },
      raw_text: '{"id":1,"first_name":"Nul\\u0000Byte","custom_fields":{"k\\ud800":"v"}}',
    });
  });

  it('keeps ids past 2^53 exactly, in columns, raw and raw_text', () => {
    const text = '{"data": {"id": 9007199254740993, "owner_id": 12345678901234567890, "value": 1200.00}, "meta": {}}';
    const value = parseExact(text) as { data: Record<string, unknown> };
    const row = toRow('deal', { ...item('deal', value.data), text: () => text, json: { exactNumbers: true, oddStrings: false } });
    expect(row).toMatchObject({ id: '9007199254740993', owner_id: null, value: '1200.00', raw_text: '{"id": 9007199254740993, "owner_id": 12345678901234567890, "value": 1200.00}' });
  });
});

describe('planPage', () => {
  it('keeps the last state of an object named twice, and sorts upserts, deletes and other types', () => {
    const plan = planPage([item('lead', { id: 1 }), item('deal', { id: 2 }), item('lead', { id: 1 }, 0, true), item('visit', { id: 3 }, 2)]);
    expect([...plan.upserts.keys()]).toEqual(['deal']);
    expect(plan.deletes.get('lead')).toEqual([1]);
    expect(plan.others).toEqual([{ type: 'visit', id: 3, revision: 2, raw: { id: 3 }, raw_text: null, deleted: false }]);
    expect(plan.stored.map((s) => s.key)).toEqual(['deal:2', 'lead:1', 'visit:3']);
    expect(plan.rejected).toEqual([]);
  });

  it('keeps whole, as rejected, the items that name no object', () => {
    const plan = planPage([
      item('lead', { first_name: 'No id' }),
      item('lead', { id: 'abc' }),
      { ...item('contact', {}), data: { id: parseExact('12345678901234567890') } },
      item('associated_contact', { deal_id: 1, contact_id: null }),
      item('tag', { id: 1.5 }),
      { ...item('deal', { id: 8 }), malformed: 'meta.sync.revision must be a non-negative 64-bit integer' },
    ]);
    expect(plan.upserts.size).toBe(0);
    expect(plan.rejected.map(({ key, type, base_id, error }) => ({ key, type, base_id, error }))).toEqual([
      { key: 'ack:lead-undefined-1', type: 'lead', base_id: null, error: 'names no object: it has no id' },
      { key: 'lead:abc', type: 'lead', base_id: 'abc', error: 'names no object: its id "abc" is not a 64-bit integer' },
      { key: 'contact:12345678901234567890', type: 'contact', base_id: '12345678901234567890', error: 'names no object: its id 12345678901234567890 is not a 64-bit integer' },
      { key: 'ack:associated_contact-undefined-1', type: 'associated_contact', base_id: null, error: 'names no object: an associated contact without an id needs deal_id and contact_id (64-bit integers)' },
      { key: 'ack:tag-1.5-1', type: 'tag', base_id: null, error: 'names no object: its id 1.5 is not a 64-bit integer' },
      { key: 'deal:8', type: 'deal', base_id: '8', error: 'malformed item: meta.sync.revision must be a non-negative 64-bit integer' },
    ]);
    expect(plan.rejected[2]!.raw_text).toContain('"id":12345678901234567890');
  });

  it('does not let a good state clear the rejected row of a malformed one in the same page', () => {
    const plan = planPage([{ ...item('lead', { id: 5 }), malformed: 'meta.sync.event_type must be a string' }, item('lead', { id: 5, first_name: 'Good' }, 2)]);
    expect(plan.upserts.get('lead')).toHaveLength(1);
    expect(plan.rejected.map((r) => r.key)).toEqual(['lead:5']);
    expect(plan.stored).toEqual([]);
  });

  it('deletes an associated contact by its id alone', () => {
    const plan = planPage([item('associated_contact', { id: 5 }, 0, true)]);
    expect(plan.associations).toEqual([{ pos: 0, deleted: true, id: 5, deal_id: undefined, contact_id: undefined }]);
    expect(plan.rejected).toEqual([]);
  });

  it('stores an associated contact with an id whatever its pair (the pair columns are references)', () => {
    const plan = planPage([item('associated_contact', { id: 5, deal_id: 1, contact_id: null }), item('associated_contact', { id: 6, deal_id: 'abc', contact_id: 2 })]);
    expect(plan.associations).toMatchObject([
      { pos: 0, deleted: false, id: 5, deal_id: 1, contact_id: null },
      { pos: 1, deleted: false, id: 6, deal_id: null, contact_id: 2 },
    ]);
    expect(plan.rejected).toEqual([]);
  });
});
