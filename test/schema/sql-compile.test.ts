// The SQL compiler as the pure function it is: a document and variables in, one statement out;
// its text depends on the document's shape only (every value is a parameter, so it is prepared
// once), and what it does not cover is said, not guessed.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { compileQuery, cursorId } from '../../src/schema/sql/compile.ts';

const compile = (query: string, variables?: Record<string, unknown>) =>
  compileQuery({ schema, document: parse(query), variables, customFieldTypes: async () => new Map([['Budget', 'number']]) });

describe('compileQuery', () => {
  it('answers one statement whose text does not depend on the values', async () => {
    const query = 'query ($first: Int, $name: String) { deals(first: $first, where: { name: { contains: $name } }) { totalCount edges { node { name owner { name } } } } }';
    const a = await compile(query, { first: 5, name: 'x' });
    const b = await compile(query, { first: 50, name: "it's" });
    if (!a.covered || !b.covered) throw new Error('not covered');
    expect(a.query.text).toBe(b.query.text);
    expect(a.query.text).not.toContain("it's");
    expect(a.query.values).toContain('x');
    expect(b.query.values).toContain("it's");
    // One statement: nothing a value could end and begin again.
    expect(a.query.text).toMatch(/^SELECT /);
    expect(a.query.text).not.toContain(';');
  });

  it('orders by a custom field by its discovered type', async () => {
    const result = await compile('{ deals(orderBy: [{ customField: "Budget", direction: DESC }]) { edges { node { customNumber(name: "Budget") } } } }');
    if (!result.covered) throw new Error(result.reason);
    expect(result.query.text).toContain('bsg_cf_number');
    expect(result.query.post).toBeDefined();
  });

  it.each([
    ['syncStatus', '{ syncStatus { state } }', 'Query.syncStatus'],
    ['a backward page', '{ deals(last: 2) { edges { node { name } } } }', 'backward page'],
    ['a page too large', '{ deals(first: 101) { edges { node { name } } } }', 'page size refused'],
    ['a union', '{ notes(first: 1) { edges { node { resource { __typename } } } } }', 'Note.resource'],
    ['payload JSON', '{ deals(first: 1) { edges { node { raw } } } }', 'Deal.raw'],
    ['invalid variables', 'query ($n: Int!) { deals(first: $n) { totalCount } }', 'invalid variables'],
  ])('does not cover %s', async (_name, query, reason) => {
    expect(await compile(query)).toEqual({ covered: false, reason });
  });

  it('reads back only the cursors the Prisma plugin makes', () => {
    expect(cursorId(Buffer.from('GPC:I:9007199254740993').toString('base64'))).toBe('9007199254740993');
    expect(cursorId(Buffer.from('GPC:N:12').toString('base64'))).toBeUndefined();
    expect(cursorId('nope')).toBeUndefined();
  });
});
