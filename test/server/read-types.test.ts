// The types an operation reads, as the response cache files its answer under: derived from the
// document against the schema. Pure.
import { expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/resource-types.ts';
import { schema } from '../../src/schema/index.ts';
import { createReadTypes, REJECTED_ITEM } from '../../src/server/read-types.ts';

const readTypes = createReadTypes(schema);
const sorted = (document: string) => {
  const types = readTypes(document);
  return types === '*' ? types : [...types].sort();
};

it('reads every type a selection reaches through relations and connections', () => {
  expect(sorted('{ deals(first: 50) { edges { node { baseId name value contact { name } stage { name pipeline { name } } owner { name } } } } }')).toEqual([
    'contact', 'deal', 'pipeline', 'stage', 'user',
  ]);
  expect(sorted('{ deals { totalCount pageInfo { hasNextPage } } }')).toEqual(['deal']);
  expect(sorted('{ contact(baseId: 1) { address { city } notes(first: 2) { edges { node { content } } } } }')).toEqual(['contact', 'note']);
});

it('reads through fragments, and every member of a union or interface', () => {
  expect(sorted('query { deals { edges { node { ...D } } } } fragment D on Deal { owner { name } }')).toEqual(['deal', 'user']);
  expect(sorted('{ notes { edges { node { resource { __typename } } } } }')).toEqual(['contact', 'deal', 'lead', 'note']);
  expect(sorted('query ($id: ID!) { node(id: $id) { id ... on Deal { name } } }')).toEqual([...RESOURCE_TYPES, REJECTED_ITEM].sort());
});

it('reads the types a relation filter names, and all a filter given in a variable may name', () => {
  expect(sorted('{ deals(where: { stage: { name: { eq: "Won" } }, hot: { eq: true } }) { totalCount } }')).toEqual(['deal', 'stage']);
  const variable = sorted('query ($w: DealWhere) { deals(where: $w) { totalCount } }');
  expect(variable).toEqual(expect.arrayContaining(['deal', 'stage', 'contact', 'user', 'source', 'loss_reason']));
});

it('reads everything for figures about the mirror as a whole, and nothing for introspection', () => {
  expect(readTypes('{ mirrorCounts { type live } }')).toBe('*');
  expect(sorted('{ __schema { types { name } } }')).toEqual([]);
});
