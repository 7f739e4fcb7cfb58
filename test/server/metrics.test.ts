// /metrics in Prometheus format: sync items by type and kind, sessions, lag, failed objects, rejected items,
// GraphQL request durations, open subscriptions and events delivered.
import { expect, it } from 'vitest';
import { eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'deal' });

const metrics = async () => (await fetch(`${g.app.url}/metrics`)).text();
const value = (text: string, series: string) => Number(text.split('\n').find((line) => line.startsWith(`${series} `))?.split(' ')[1] ?? NaN);

it('reports the sync, GraphQL requests and subscriptions', async () => {
  const sub = await g.subscribe(`subscription { dealChanged { kind } }`);
  g.sim.changes([{ op: 'create', type: 'deal', data: { name: 'Counted' } }]);
  await sub.waitFor(1);
  await fetch(`${g.app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ deals(first: 1) { totalCount } }' }) });

  const res = await fetch(`${g.app.url}/metrics`);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await metrics();
  expect(value(text, 'bsg_sync_items_total{type="deal"}')).toBeGreaterThanOrEqual(g.sim.counts().deal!);
  expect(value(text, 'bsg_sync_changes_total{type="deal",kind="CREATED"}')).toBe(g.sim.counts().deal);
  expect(value(text, 'bsg_sync_sessions_total{outcome="completed"}')).toBeGreaterThanOrEqual(1);
  expect(value(text, 'bsg_sync_lag_seconds')).toBeLessThan(60);
  expect(value(text, 'bsg_sync_failed_objects_pending')).toBe(0);
  expect(value(text, 'bsg_websocket_connections')).toBe(1);
  expect(value(text, 'bsg_subscription_executions')).toBe(1);
  expect(value(text, 'bsg_subscription_events_delivered_total')).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(/^graphql_yoga_http_duration_count\{.*\} [1-9]/m);
  sub.stop();
});

it('counts the items kept as rejected, by type', async () => {
  const series = 'bsg_sync_rejected_items_total{type="lead"}';
  const before = value(await metrics(), series);
  // An id past int8 names no object the mirror can store: the item is kept whole as rejected.
  g.sim.injectItems(['{"data":{"id":99999999999999999999,"first_name":"Too big"},"meta":{"type":"lead","sync":{"event_type":"created","ack_key":"Lead-99999999999999999999-1","revision":1}}}']);
  const want = (Number.isNaN(before) ? 0 : before) + 1;
  await eventually(async () => value(await metrics(), series) >= want);
  expect(value(await metrics(), series)).toBe(want);
  expect(await g.app.database.prisma.rejectedItem.count()).toBe(1);
});
