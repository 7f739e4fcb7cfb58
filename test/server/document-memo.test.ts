// The per-request memo of costs and compiled statements: the same request finds what was worked
// out for it, another's variables do not, and nothing a client sends grows it without bound.
import { parse } from 'graphql';
import { expect, it } from 'vitest';
import { createDocumentMemo } from '../../src/server/document-memo.ts';

const document = parse('query ($n: Int) { deals(first: $n) { totalCount } }');

it('keeps a value by document, operation and variables', () => {
  const memo = createDocumentMemo<{ cost: number }>();
  memo.set(memo.keyOf(document, undefined, { n: 1 }), { cost: 1 });
  expect(memo.get(memo.keyOf(document, undefined, { n: 1 }))).toEqual({ cost: 1 });
  expect(memo.get(memo.keyOf(document, undefined, { n: 100 }))).toBeUndefined();
  expect(memo.get(memo.keyOf(document, 'Other', { n: 1 }))).toBeUndefined();
  expect(memo.get(memo.keyOf(parse('query ($n: Int) { deals(first: $n) { totalCount } }'), undefined, { n: 1 }))).toBeUndefined();
});

it('keeps at most max entries across all documents, and never large variables', () => {
  const memo = createDocumentMemo<{ i: number }>({ max: 10, maxVariablesChars: 100 });
  const documents = Array.from({ length: 50 }, (_, i) => parse(`{ a${i}: __typename }`));
  documents.forEach((d, i) => memo.set(memo.keyOf(d, undefined, {}), { i }));
  const kept = documents.filter((d) => memo.get(memo.keyOf(d, undefined, {})) !== undefined);
  expect(kept).toHaveLength(10);
  expect(memo.get(memo.keyOf(documents[49]!, undefined, {}))).toEqual({ i: 49 });
  const big = { s: 'x'.repeat(200) };
  expect(memo.keyOf(document, undefined, big)).toBeUndefined();
  memo.set(memo.keyOf(document, undefined, big), { i: -1 });
  expect(memo.get(memo.keyOf(document, undefined, big))).toBeUndefined();
});
