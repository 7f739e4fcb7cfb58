// Every kind of column makes the whole trip exactly: sent by the upstream with edge values,
// synced, then read through GraphQL (the typed field, `raw`, a filter) and a subscription, each
// compared with what the simulator sent. Money keeps its scale and all its digits; dates stay
// the calendar day sent; timestamps keep their instant, offsets and fractions of a second
// included; ids past 2^31, 2^53 and up to 2^63 - 1 stay exact.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/simulator/index.ts';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ sim: { world: { counts: { user: 1, pipeline: 1, stage: 2 } } }, settled: 'stage' });

/** What a deal is sent with: money (string or number), a date, timestamps. */
const DEALS: Array<{ value: string | number; estimated_close_date: string; last_stage_change_at: string; added_at: string }> = [
  { value: '1200.00', estimated_close_date: '2024-02-29', last_stage_change_at: '2024-02-29T23:59:59.123+05:30', added_at: '2024-03-01T00:00:00Z' },
  { value: '-17.50', estimated_close_date: '2023-12-31', last_stage_change_at: '2023-12-31T23:30:00-08:00', added_at: '2023-12-31T23:59:59.999Z' },
  { value: '123456789012345678901234567890', estimated_close_date: '2000-02-29', last_stage_change_at: '2000-02-29T12:00:00.5+14:00', added_at: '1999-12-31T19:00:00-05:00' },
  { value: '-0.000000000000000000000000000001', estimated_close_date: '2100-02-28', last_stage_change_at: '2100-02-28T00:00:00.010Z', added_at: '2024-01-31T12:34:56.789-03:30' },
  { value: '0.00', estimated_close_date: '2024-01-31', last_stage_change_at: '2024-04-30T10:00:00+00:00', added_at: '2024-06-30T10:00:00Z' },
  { value: 25037.5, estimated_close_date: '2024-04-30', last_stage_change_at: '2024-09-30T00:00:00.1Z', added_at: '2024-11-30T00:00:00Z' },
  { value: -3, estimated_close_date: '2023-02-28', last_stage_change_at: '2023-02-28T23:59:59+01:00', added_at: '2023-03-01T00:00:00+01:00' },
];
/** An id past 2^31 (a deal), and references to it. */
const BIG_ID = 2 ** 31;

let cursor: string;
let dealIds: number[];
let ids: { product: number; order: number; lineItem: number; note: number };

const post = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${g.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (res.status !== 200 || body.errors) throw new Error(`query failed (${res.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
};
const sent = (type: string, id: number) => g.sim.object(type, id)!.data;
/** A money value as sent, as text: strings exactly, numbers as JSON writes them. */
const moneyText = (value: unknown) => (value === null || value === undefined ? null : String(value));

beforeAll(async () => {
  cursor = (await post('{ latestChangeCursor }')).latestChangeCursor;
  const changes: Change[] = DEALS.map((data, i) => ({ op: 'create', type: 'deal', ...(i === 0 ? { id: BIG_ID } : {}), data: { name: `edge ${i}`, ...data } }));
  changes.push(
    { op: 'create', type: 'product', data: { cost: '0.10', max_discount: '15.000', max_markup: 99.9, prices: [{ amount: '12.50', currency: 'EUR' }, { amount: 7, currency: 'USD' }] } },
    { op: 'create', type: 'note', data: { resource_type: 'deal', resource_id: BIG_ID, content: 'on a big id' } },
  );
  const made = g.sim.changes(changes);
  dealIds = made.slice(0, DEALS.length).map((r) => r.id);
  const product = made[DEALS.length]!.id;
  const [order] = g.sim.changes([{ op: 'create', type: 'order', data: { deal_id: BIG_ID, discount: '5.50' } }]);
  const [lineItem] = g.sim.changes([
    { op: 'create', type: 'line_item', data: { order_id: order!.id, product_id: product, value: '-17.00', variation: '-17.00', price: '1459.990', quantity: 3 } },
  ]);
  ids = { product, order: order!.id, lineItem: lineItem!.id, note: made[DEALS.length + 1]!.id };
  await eventually(async () => (await post(`{ lineItem(baseId: ${ids.lineItem}) { baseId } }`)).lineItem !== null);
});

describe('queries', () => {
  it('serve money, dates and timestamps of deals as sent, and raw as received', async () => {
    expect(dealIds[0]).toBe(BIG_ID);
    const data = await post('query ($ids: [BigInt!]) { deals(where: { baseId: { in: $ids } }, first: 100) { edges { node { baseId value estimatedCloseDate lastStageChangeAt addedAt raw } } } }', { ids: dealIds });
    const served = new Map(data.deals.edges.map((e: any) => [e.node.baseId, e.node]));
    expect(served.size).toBe(DEALS.length);
    for (const id of dealIds) {
      const node: any = served.get(id);
      const upstream = sent('deal', id);
      expect(node.value, `deal ${id} value`).toBe(moneyText(upstream.value));
      expect(node.estimatedCloseDate, `deal ${id} date`).toBe(upstream.estimated_close_date);
      for (const [field, column] of [['lastStageChangeAt', 'last_stage_change_at'], ['addedAt', 'added_at']] as const) {
        expect(Date.parse(node[field]), `deal ${id} ${field}`).toBe(Date.parse(upstream[column] as string));
      }
      expect(node.raw, `deal ${id} raw`).toEqual(upstream);
    }
  });

  it('serve the money of products, orders and line items with its scale, and references to a big id', async () => {
    const data = await post(`{
      product(baseId: ${ids.product}) { cost maxDiscount maxMarkup prices { amount currency } }
      order(baseId: ${ids.order}) { discount deal { baseId } }
      lineItem(baseId: ${ids.lineItem}) { value variation price order { deal { baseId } } }
      note(baseId: ${ids.note}) { resourceId resource { ... on Deal { baseId } } }
    }`);
    const product = sent('product', ids.product);
    expect(data.product).toEqual({
      cost: '0.10',
      maxDiscount: '15.000',
      maxMarkup: moneyText(product.max_markup),
      prices: [{ amount: '12.50', currency: 'EUR' }, { amount: '7', currency: 'USD' }],
    });
    expect(data.order).toEqual({ discount: '5.50', deal: { baseId: BIG_ID } });
    expect(data.lineItem).toEqual({ value: '-17.00', variation: '-17.00', price: '1459.990', order: { deal: { baseId: BIG_ID } } });
    expect(data.note).toEqual({ resourceId: BIG_ID, resource: { baseId: BIG_ID } });
  });
});

describe('filters', () => {
  const dealsWhere = async (where: object) =>
    (await post('query ($where: DealWhere!, $ids: [BigInt!]) { deals(where: { AND: [$where, { baseId: { in: $ids } }] }, first: 100) { edges { node { baseId } } } }', { where, ids: dealIds })).deals.edges
      .map((e: any) => e.node.baseId)
      .sort((a: number, b: number) => a - b);

  it('compare money as numbers, whatever its scale or size', async () => {
    expect(await dealsWhere({ value: { eq: '1200' } })).toEqual([dealIds[0]]);
    expect(await dealsWhere({ value: { in: ['-17.5', '0'] } })).toEqual([dealIds[1], dealIds[4]].sort((a, b) => a! - b!));
    expect(await dealsWhere({ value: { gt: '123456789012345678901234567889' } })).toEqual([dealIds[2]]);
    expect(await dealsWhere({ value: { lt: '0', gt: '-0.000000000000000000000000000002' } })).toEqual([dealIds[3]]);
  });

  it('find a date by its calendar day, and a timestamp by its instant in any offset', async () => {
    expect(await dealsWhere({ estimatedCloseDate: { eq: '2024-02-29' } })).toEqual([dealIds[0]]);
    expect(await dealsWhere({ estimatedCloseDate: { gte: '2100-02-28' } })).toEqual([dealIds[3]]);
    expect(await dealsWhere({ lastStageChangeAt: { eq: '2024-02-29T18:29:59.123Z' } })).toEqual([dealIds[0]]);
    expect(await dealsWhere({ addedAt: { eq: '2024-01-31T16:04:56.789Z' } })).toEqual([dealIds[3]]);
  });
});

describe('values JSON.parse would change, sent as raw text', () => {
  // 2^53 + 1 and 2^63 - 1: a JavaScript number holds neither; money as a number with its scale.
  const ID_PAST_2_53 = '9007199254740993';
  const INT8_MAX = '9223372036854775807';
  const text = (type: string, id: string, data: string) =>
    `{"data":{"id":${id},${data}},"meta":{"type":"${type}","sync":{"event_type":"created","ack_key":"${type}-${id}-1","revision":1}}}`;

  beforeAll(async () => {
    g.sim.injectItems([
      text('deal', ID_PAST_2_53, `"name":"past 2^53","value":1200.00,"owner_id":${INT8_MAX},"stage_id":${BIG_ID}`),
      text('deal', INT8_MAX, '"name":"int8 max","value":-0.50'),
      // Nothing but a scale for JSON.parse to drop.
      text('deal', String(BIG_ID + 1), '"name":"scale only","value":12.50'),
      text('note', '9007199254740995', `"resource_type":"deal","resource_id":${ID_PAST_2_53},"content":"on 2^53 + 1"`),
    ]);
    await eventually(async () => (await post('{ note(baseId: "9007199254740995") { baseId } }')).note !== null);
  });

  it('keep ids, references and money exactly, in fields, raw and filters', async () => {
    const data = await post(`query ($a: BigInt!, $b: BigInt!) {
      a: deal(baseId: $a) { baseId value ownerId stageId raw }
      b: deal(baseId: $b) { baseId value }
      c: deal(baseId: ${BIG_ID + 1}) { value }
      found: deals(where: { ownerId: { eq: "${INT8_MAX}" } }) { edges { node { baseId } } }
      note(baseId: "9007199254740995") { baseId resourceId resource { ... on Deal { baseId } } }
    }`, { a: ID_PAST_2_53, b: INT8_MAX });
    expect(data.a).toEqual({ baseId: ID_PAST_2_53, value: '1200.00', ownerId: INT8_MAX, stageId: BIG_ID, raw: { id: ID_PAST_2_53, name: 'past 2^53', value: 1200, owner_id: INT8_MAX, stage_id: BIG_ID } });
    expect(data.b).toEqual({ baseId: INT8_MAX, value: '-0.50' });
    expect(data.c).toEqual({ value: '12.50' });
    expect(data.found.edges).toEqual([{ node: { baseId: ID_PAST_2_53 } }]);
    expect(data.note).toEqual({ baseId: '9007199254740995', resourceId: ID_PAST_2_53, resource: { baseId: ID_PAST_2_53 } });
  });

  it('keep them exactly in change events', async () => {
    const sub = collect(g.client(), `subscription ($after: String) { changes(after: $after, types: [DEAL]) { baseId node { ... on Deal { baseId value } } } }`, { after: cursor });
    await eventually(() => sub.results.some((r) => r.changes.baseId === INT8_MAX));
    sub.stop();
    const big = sub.results.filter((r) => [ID_PAST_2_53, INT8_MAX].includes(r.changes.baseId)).map((r) => r.changes);
    expect(big).toEqual([
      { baseId: ID_PAST_2_53, node: { baseId: ID_PAST_2_53, value: '1200.00' } },
      { baseId: INT8_MAX, node: { baseId: INT8_MAX, value: '-0.50' } },
    ]);
  });
});

describe('subscriptions', () => {
  it('deliver each deal with the values sent', async () => {
    const sub = collect(g.client(), `subscription ($after: String) { dealChanged(after: $after, kinds: [CREATED]) { node { baseId value estimatedCloseDate lastStageChangeAt raw } } }`, { after: cursor });
    const got = await sub.waitFor(DEALS.length);
    sub.stop();
    expect(got.map((r) => r.dealChanged.node.baseId).sort((a, b) => a - b)).toEqual([...dealIds].sort((a, b) => a - b));
    for (const { dealChanged: { node } } of got) {
      const upstream = sent('deal', node.baseId);
      expect(node.value).toBe(moneyText(upstream.value));
      expect(node.estimatedCloseDate).toBe(upstream.estimated_close_date);
      expect(Date.parse(node.lastStageChangeAt)).toBe(Date.parse(upstream.last_stage_change_at as string));
      expect(node.raw).toEqual(upstream);
    }
  });

  it('filter on money like the queries', async () => {
    const sub = collect(g.client(), `subscription ($after: String) { dealChanged(after: $after, where: { value: { eq: "1200" } }) { node { baseId value } } }`, { after: cursor });
    const [first] = await sub.waitFor(1);
    sub.stop();
    expect(first!.dealChanged.node).toEqual({ baseId: BIG_ID, value: '1200.00' });
  });
});
