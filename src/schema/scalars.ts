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
builder.addScalarType('BigInt', BigIntResolver);
builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('Decimal', DecimalScalar);
