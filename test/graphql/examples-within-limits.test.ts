// Every operation we show people runs under the default query limits: the README's examples,
// the query GraphiQL opens with, and what the status page sends.
import { readFileSync } from 'node:fs';
import { parse, getOperationAST } from 'graphql';
import { expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../src/server/graphql.ts';
import * as statusPage from '../../src/server/status-page/operations.js';
import { useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 1000 }, seed: 1 });

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The README's GraphQL: its graphql blocks, and the operations its JavaScript and curl examples send. */
const readmeOperations = [
  ...[...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!),
  ...[...readme.matchAll(/query: `([\s\S]*?)`/g)].map((m) => m[1]!),
  ...[...readme.matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string),
];

const examples: Array<[string, string, Record<string, unknown>]> = [
  ...readmeOperations.map((query, i): [string, string, Record<string, unknown>] => [`README #${i + 1}`, query, { after: null }]),
  ['GraphiQL example', EXAMPLE_QUERY, {}],
  // The status page's history spans up to a day.
  ...Object.entries(statusPage).map(([name, query]): [string, string, Record<string, unknown>] => [`status page ${name}`, query, { minutes: 1440, after: null }]),
];

it('finds the examples', () => {
  expect(readmeOperations.length).toBeGreaterThanOrEqual(4);
  expect(examples.length).toBeGreaterThanOrEqual(10);
});

it.each(examples)('%s is within the limits', async (_name, query, variables) => {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const used = Object.fromEntries(Object.entries(variables).filter(([name]) => operation.variableDefinitions?.some((d) => d.variable.name.value === name)));
  if (operation.operation === 'query') {
    const result = await w.request(query, used);
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(result.status).toBe(200);
    return;
  }
  // A subscription would stay open: validated the way a WebSocket subscribe is.
  const enveloped = w.yoga.getEnveloped({ params: { query, variables: used } });
  expect(enveloped.validate(enveloped.schema, enveloped.parse(query))).toEqual([]);
});
