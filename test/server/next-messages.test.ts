// A shared execution's `next` message is built once per result and id, and is byte for byte
// what graphql-ws would send for that result.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { expect, it } from 'vitest';
import { createNextMessages } from '../../src/server/next-messages.ts';

/** What graphql-ws' server sends for a result (its emit.next, without an onNext payload). */
function graphqlWsNext(id: string, result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return stringifyMessage({ id, type: MessageType.Next, payload: { ...rest, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) } });
}

const results: Array<[string, ExecutionResult]> = [
  ['data', { data: { dealChanged: { cursor: '12', kind: 'UPDATED', node: { baseId: 7, name: 'Zoë "quoted" \u2028 ✓', value: null } } } }],
  ['errors first, as graphql-js puts them', { errors: [new GraphQLError('boom', { extensions: { code: 'X' } })], data: { x: null } }],
  ['extensions', { data: { x: 1 }, extensions: { cost: 3 } }],
];

it.each(results)('builds the bytes graphql-ws would send (%s)', (_what, result) => {
  const messages = createNextMessages();
  for (const id of ['1', 'a-long-operation-id', 'quo"te']) expect(messages.bytes(result, id).toString('utf8')).toBe(graphqlWsNext(id, result));
});

it('hands out the same bytes for the same result and id', () => {
  const messages = createNextMessages();
  const result: ExecutionResult = { data: { x: 1 } };
  expect(messages.bytes(result, '1')).toBe(messages.bytes(result, '1'));
  expect(messages.bytes(result, '2')).not.toBe(messages.bytes(result, '1'));
  // Another result with equal contents is another event: built anew.
  expect(messages.bytes({ data: { x: 1 } }, '1')).not.toBe(messages.bytes(result, '1'));
});
