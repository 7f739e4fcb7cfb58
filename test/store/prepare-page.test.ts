// Preparing a page is pure: the statement depends only on which parts the page has (so pages of
// the same types share one text, prepared once per connection), the parameters carry the rows.
import { describe, expect, it } from 'vitest';
import { preparePage, type StoreItem } from '../../src/store/apply-page.ts';

const item = (type: string, id: number, data: Record<string, unknown> = {}): StoreItem => ({ type, revision: 1, deleted: false, data: { id, ...data } });
const gone = (type: string, id: number): StoreItem => ({ type, revision: 0, deleted: true, data: { id } });

describe('preparePage', () => {
  it('gives pages of the same types the very same statement text, whatever their rows', () => {
    const a = preparePage([item('lead', 1, { first_name: 'Ada' }), item('deal', 7)]);
    const b = preparePage([item('deal', 9, { name: 'Big' }), item('lead', 2), item('lead', 3)]);
    expect(a.sql).toBeDefined();
    expect(b.sql).toBe(a.sql);
    expect(b.params).not.toEqual(a.params);
  });

  it('gives a page with other parts another statement', () => {
    const upserts = preparePage([item('lead', 1)]);
    const withDelete = preparePage([item('lead', 1), gone('lead', 2)]);
    const withProgress = preparePage([item('lead', 1)], { progress: { deviceUuid: '00000000-0000-4000-8000-000000000000', items: 1, countLeft: 0, itemsPerSecond: null } });
    expect(new Set([upserts.sql, withDelete.sql, withProgress.sql]).size).toBe(3);
  });

  it('passes one parameter per part, the rows as JSON with typed columns and the payload whole, then the fence', () => {
    const fence = { deviceUuid: '00000000-0000-4000-8000-000000000000', epoch: 7n };
    const page = preparePage([item('lead', 1, { first_name: 'Ada', created_at: 'not a date' }), gone('deal', 5)], { clearFailedObjects: false, clearRejectedItems: false, fence });
    expect(page.params).toHaveLength(3);
    const [leads, deals, fenced] = page.params.map((p) => JSON.parse(p));
    expect(fenced).toEqual({ device: fence.deviceUuid, epoch: '7' });
    expect(JSON.parse(preparePage([item('lead', 1)]).params.at(-1)!)).toEqual({ device: null, epoch: null });
    expect(leads).toEqual([expect.objectContaining({ id: 1, first_name: 'Ada', created_at: null, revision: 1, raw: { id: 1, first_name: 'Ada', created_at: 'not a date' } })]);
    expect(deals).toEqual([{ id: 5 }]);
  });

  it('keeps an item that names no object as a rejected row, written by the page statement', () => {
    const nameless: StoreItem = { type: 'lead', revision: 1, deleted: false, data: { first_name: 'Nobody' }, ackKey: 'Lead-x-1' };
    const page = preparePage([nameless], { clearFailedObjects: false, clearRejectedItems: false });
    expect(page.sql).toContain('rejected_items');
    expect(page.rejected).toEqual([expect.objectContaining({ type: 'lead', ack_key: 'Lead-x-1', error: 'names no object: it has no id' })]);
    expect(JSON.parse(page.params[0]!)).toEqual(page.rejected);
  });
});
