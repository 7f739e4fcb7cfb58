// Scalars: DateTime, Date, BigInt and JSON from graphql-scalars; Decimal (money) is exact,
// a string on the wire, so no amount is ever rounded through a float.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { BigIntResolver, DateResolver, DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;

const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number (money), as a string such as "1250.50".',
  serialize: (value) => String(value),
  parseValue(value) {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !DECIMAL.test(text)) throw new GraphQLError(`Decimal must be a decimal number such as "1250.50", got ${JSON.stringify(value)}`);
    return text;
  },
  parseLiteral(ast) {
    if ((ast.kind === Kind.STRING || ast.kind === Kind.FLOAT || ast.kind === Kind.INT) && DECIMAL.test(ast.value)) return ast.value;
    throw new GraphQLError('Decimal must be a decimal number such as "1250.50"', { nodes: ast });
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('Date', DateResolver);
// graphql-scalars' BigInt sends integers past 2^53 as strings (unless BigInt.prototype is
// patched) and warns on stderr that it does, on every first use: strings are what we want (exact
// in any JSON client), so the same behaviour, said in the description, without the warning.
const isSafe = (n: bigint) => n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
/** Inputs as graphql-scalars gives them: a number when safe, else a bigint. */
const bigIntInput = (text: string, what: unknown) => {
  const n = /^-?\d+$/.test(text) ? BigInt(text) : undefined;
  if (n === undefined) throw new GraphQLError(`BigInt cannot represent value: ${String(what)}`);
  return isSafe(n) ? Number(n) : n;
};
const BigIntScalar = new GraphQLScalarType({
  ...BigIntResolver.toConfig(),
  description: 'A whole number of any size (ids are 64-bit); one past 2^53, which a JSON number cannot hold exactly, is sent as a string of its digits.',
  serialize(value) {
    const n =
      typeof value === 'bigint' ? value
      : typeof value === 'number' && Number.isInteger(value) ? BigInt(value)
      : typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value)
      : BigInt(BigIntResolver.serialize(value) as number | string);
    return isSafe(n) ? Number(n) : n.toString();
  },
  parseValue: (value) => bigIntInput(String(value), value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.STRING) throw new GraphQLError('BigInt must be an integer', { nodes: ast });
    return bigIntInput(ast.value, ast.value);
  },
});

builder.addScalarType('BigInt', BigIntScalar);
builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('Decimal', DecimalScalar);
