// Reading a queue page never loses an item: ids past 2^53 stay exact, each item is read on its
// own (a malformed one says why instead of failing the page), and each item's text is found
// byte for byte as it was in the page.
import { describe, expect, it } from 'vitest';
import { isExactNumber } from '../../src/store/exact-json.ts';
import { readPage } from '../../src/sync/client.ts';

const meta = (type: string, key: string, revision: unknown = 1) => `{"type":"${type}","sync":{"event_type":"created","ack_key":"${key}","revision":${JSON.stringify(revision)}}}`;
const page = (items: string[], extra = '"count_left":0') => `{"items":[${items.join(',')}],"meta":{"type":"collection",${extra}}}`;

describe('readPage', () => {
  it('reads a plain page with JSON.parse, and each item knows its text', () => {
    const items = [`{"data":{"id":1,"name":"A"},"meta":${meta('lead', 'Lead-1-1')}}`, `{ "data" : {"id":2} , "meta" : ${meta('deal', 'Deal-2-1')} }`];
    const read = readPage(page(items));
    expect(read.items.map((i) => [i.type, i.data.id, i.ackKey, i.malformed, i.json])).toEqual([
      ['lead', 1, 'Lead-1-1', undefined, { exactNumbers: false, oddStrings: false }],
      ['deal', 2, 'Deal-2-1', undefined, { exactNumbers: false, oddStrings: false }],
    ]);
    expect(read.items.map((i) => i.text!())).toEqual(items.map((i) => i.trim()));
    expect(read.countLeft).toBe(0);
  });

  it('keeps ids and references past 2^53 exactly', () => {
    const read = readPage(page([`{"data":{"id":9007199254740993,"owner_id":12345678901234567890,"n":1},"meta":${meta('lead', 'Lead-9007199254740993-1')}}`]));
    const { data } = read.items[0]!;
    expect(isExactNumber(data.id) && data.id.value).toBe('9007199254740993');
    expect(isExactNumber(data.owner_id) && data.owner_id.value).toBe('12345678901234567890');
    expect(data.n).toBe(1);
  });

  it('reads a page with a repeated key item by item, and keeps an item it cannot read exactly as malformed', () => {
    const plain = `{"data":{"id":1,"id":2},"meta":${meta('lead', 'Lead-2-1')}}`;
    const lossy = `{"data":{"id":9007199254740993,"x":1,"x":2},"meta":${meta('lead', 'Lead-big-1')}}`;
    const fine = `{"data":{"id":9007199254740995},"meta":${meta('lead', 'Lead-9007199254740995-1')}}`;
    const read = readPage(page([plain, lossy, fine]));
    expect(read.items[0]).toMatchObject({ data: { id: 2 } });
    expect(read.items[0]!.malformed).toBeUndefined();
    expect(read.items[1]).toMatchObject({ ackKey: 'Lead-big-1', malformed: expect.stringContaining('repeats a key') });
    expect(read.items[1]!.text!()).toBe(lossy);
    expect(String(read.items[2]!.data.id)).toBe('9007199254740995');
  });

  it('says why an item is malformed instead of failing the page', () => {
    const read = readPage(
      page([
        '"just a string"',
        `{"data":[1],"meta":${meta('lead', 'Lead-1-1')}}`,
        '{"data":{"id":1},"meta":{"type":"lead","sync":{"event_type":"created","revision":1}}}',
        `{"data":{"id":1},"meta":${meta('lead', 'Lead-1-x', -1)}}`,
        `{"data":{"id":1},"meta":${meta('lead', 'Lead-1-x', '1')}}`,
      ]),
    );
    expect(read.items.map((i) => i.malformed)).toEqual([
      'an item must be an object',
      'data must be an object',
      'meta.sync.ack_key must be a string',
      'meta.sync.revision must be a non-negative 64-bit integer',
      undefined,
    ]);
    expect(read.items[1]!.ackKey).toBe('Lead-1-1');
  });

  it('keeps only failed objects it can name, and ignores an odd count', () => {
    const read = readPage(page([], '"count_left":"many","failed_objects":[{"type":"deal","id":5},{"type":"deal","id":99999999999999999999},{"id":3},{"type":"de\\u0000al","id":4}]'));
    expect(read.failedObjects).toEqual([{ type: 'deal', id: 5 }]);
    expect(read.countLeft).toBeUndefined();
    expect(readPage(page([], '"count_left":1e300')).countLeft).toBeUndefined();
  });

  it('refuses what is not a page (it is fetched again, never acked)', () => {
    expect(() => readPage('{"items":[')).toThrow(/not valid JSON/);
    expect(() => readPage('{"items":{}}')).toThrow(/expected an array/);
  });
});
