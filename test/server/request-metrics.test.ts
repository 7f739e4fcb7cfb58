// The gateway's own GraphQL request metrics show what yoga's Prometheus plugin showed for the
// same requests: the same series (names, help, labels) with the same counts, for queries that
// run, fail to parse, fail validation, fail in a resolver (with a path), over GET and POST; only
// the url label leaves the query string out.
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { useRequestMetrics } from '../../src/server/request-metrics.ts';

const NAMES = ['graphql_yoga_http_duration', 'graphql_envelop_request_duration', 'graphql_envelop_error_result'];

const schema = createSchema({
  typeDefs: 'type Query { hello: String, broken: String, list: [Item] } type Item { bad: String }',
  resolvers: {
    Query: {
      hello: () => 'world',
      broken: () => {
        throw new Error('no');
      },
      list: () => [{}, {}],
    },
    Item: {
      bad: () => {
        throw new Error('bad item');
      },
    },
  },
});

/** What the three series hold after `requests`, durations left out (counts and labels only). */
async function seriesAfter(plugin: (registry: Registry) => Plugin, requests: Array<[string, RequestInit?]>) {
  const registry = new Registry();
  const yoga = createYoga({ schema, plugins: [plugin(registry)], maskedErrors: false, logging: false });
  for (const [path, init] of requests) await (await yoga.fetch(`http://localhost${path}`, init ?? {})).text();
  const metrics = await registry.getMetricsAsJSON();
  return NAMES.map((name) => {
    const metric = metrics.find((m) => m.name === name);
    const values = (metric?.values ?? [])
      .filter((v) => {
        const metricName = (v as { metricName?: string }).metricName;
        return metricName === undefined || metricName.endsWith('_count');
      })
      // The plugin labelled the whole URL; ours leaves the query string out (see the next test).
      .map((v) => JSON.stringify([{ ...v.labels, ...(typeof v.labels['url'] === 'string' ? { url: v.labels['url'].split('?')[0] } : {}) }, v.value]))
      .sort();
    return { name, help: metric?.help, type: metric?.type, values };
  });
}

const post = (body: object): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('records the series yoga’s Prometheus plugin recorded, request for request', async () => {
  const requests: Array<[string, RequestInit?]> = [
    ['/graphql', post({ query: '{ hello }' })],
    ['/graphql', post({ query: '{ hello }' })],
    ['/graphql', post({ query: 'query Named { hello }' })],
    ['/graphql', post({ query: 'query A { hello } query B { hello }', operationName: 'B' })],
    ['/graphql', post({ query: '{ broken }' })],
    ['/graphql', post({ query: 'query Items { list { bad } }' })],
    ['/graphql', post({ query: '{ nope }' })],
    ['/graphql', post({ query: '{ hello ' })],
    ['/graphql?query=%7Bhello%7D'],
  ];
  const theirs = await seriesAfter(
    (registry) =>
      usePrometheus({
        registry,
        endpoint: false,
        metrics: {
          graphql_yoga_http_duration: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_error_result: true,
          graphql_envelop_deprecated_field: false,
          graphql_envelop_request: false,
          graphql_envelop_request_time_summary: false,
          graphql_envelop_phase_parse: false,
          graphql_envelop_phase_validate: false,
          graphql_envelop_phase_context: false,
          graphql_envelop_phase_execute: false,
          graphql_envelop_phase_subscribe: false,
          graphql_envelop_schema_change: false,
          graphql_envelop_execute_resolver: false,
        },
      }),
    requests,
  );
  const ours = await seriesAfter(useRequestMetrics, requests);
  expect(ours).toEqual(theirs);
  // The comparison saw something of each series.
  for (const series of theirs) expect(series.values.length, series.name).toBeGreaterThan(0);
});

it('gives GET requests with different queries one series, not one each', async () => {
  const [http] = await seriesAfter(useRequestMetrics, [['/graphql?query=%7Bhello%7D'], ['/graphql?query=%7B%20hello%20%7D'], ['/graphql?query=%7Bhello%7D&x=1']]);
  expect(http!.values).toHaveLength(1);
  expect(http!.values[0]).toContain('"url":"http://localhost/graphql"');
  expect(http!.values[0]).toMatch(/,3]$/);
});
