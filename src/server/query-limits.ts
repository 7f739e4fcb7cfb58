// Limits on what one GraphQL operation may ask, checked before anything runs: its cost and depth
// (Pothos' complexity plugin, from each field's cost in src/schema/complexity.ts, with the
// request's variables and the arguments' defaults substituted, per alias and through fragments),
// its aliases, directives and tokens (GraphQL Armor), and the size of its variables. A refused
// operation is a validation error: HTTP 400, GRAPHQL_VALIDATION_FAILED, a message naming the
// limit and the figure. Queries and subscriptions alike, over HTTP, SSE and WebSockets (they all
// validate through yoga's envelop).
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { PothosValidationError } from '@pothos/core';
import { complexityFromQuery, type ComplexityResult } from '@pothos/plugin-complexity';
import { GraphQLError, getOperationAST, Kind, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createDocumentMemo } from './document-memo.ts';
import type { QueryLimits } from './limits.ts';

/** Directives an operation may carry. */
const MAX_DIRECTIVES = 20;
/** Tokens a document may have: bounds the parser's work whatever the other limits are. */
const MAX_TOKENS = 2_000;
/** Nesting of the variables: far deeper input overflows the stack of graphql's coercion. */
const MAX_VARIABLE_DEPTH = 64;
/** Values in the variables: far more than Postgres takes as parameters of one statement. */
const MAX_VARIABLE_VALUES = 10_000;

/** A refusal: 400 whichever response type the client accepts (the spec leaves application/json at 200 for validation errors). */
function refusal(message: string, limit: string, max: number, actual: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: { name: limit, max, actual }, http: { status: 400, spec: false } },
  });
}

const figure = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** The refusal of an operation whose depth or cost is over the limits (depth first). */
function overLimit(result: ComplexityResult, limits: QueryLimits): GraphQLError | undefined {
  if (result.depth > limits.maxDepth) {
    return refusal(`Query depth ${result.depth} is over the limit of ${limits.maxDepth} (MAX_QUERY_DEPTH)`, 'MAX_QUERY_DEPTH', limits.maxDepth, result.depth);
  }
  if (result.complexity > limits.maxCost) {
    return refusal(
      `Query cost ${figure(result.complexity)} is over the limit of ${figure(limits.maxCost)} (MAX_QUERY_COST): ask for smaller pages (first/last) or fewer nested connections`,
      'MAX_QUERY_COST',
      limits.maxCost,
      result.complexity,
    );
  }
  return undefined;
}

/** The refusal of variables nested too deep or holding too many values (walked without recursion). */
function variablesRefusal(variables: unknown): GraphQLError | undefined {
  let values = 0;
  const pending: Array<[unknown, number]> = [[variables, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') {
      if (++values > MAX_VARIABLE_VALUES) return refusal(`Variables hold more than ${figure(MAX_VARIABLE_VALUES)} values`, 'variable values', MAX_VARIABLE_VALUES, values);
      continue;
    }
    if (depth > MAX_VARIABLE_DEPTH) return refusal(`Variables nest deeper than ${MAX_VARIABLE_DEPTH} levels`, 'variable nesting', MAX_VARIABLE_DEPTH, depth);
    for (const item of Object.values(value)) pending.push([item, depth + 1]);
  }
  return undefined;
}

/**
 * The cost and depth of the operation that would run (graphql's choice by operationName), with
 * the variables; undefined when none would (an unknown operation, invalid variables: execution
 * refuses those). The cost depends on nothing else (not on the context: src/schema/complexity.ts),
 * so it is kept by document, operation and variables: a dashboard or a node look-up asking the
 * same thing again is not walked again.
 */
function createCosting() {
  const costings = createDocumentMemo<ComplexityResult>();
  return (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>, context: object): ComplexityResult | undefined => {
    const operation = getOperationAST(document, operationName);
    if (!operation) return undefined;
    const key = costings.keyOf(document, operationName, variables);
    const known = costings.get(key);
    if (known) return known;
    let result: ComplexityResult;
    try {
      const definitions = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
      result = complexityFromQuery({ kind: Kind.DOCUMENT, definitions }, { schema, variables, ctx: context });
    } catch (error) {
      // The plugin throws for what it cannot count: a mutation (this schema has none) is refused.
      if (error instanceof PothosValidationError) {
        throw new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: false } } });
      }
      // Invalid variables: execution refuses them.
      if (error instanceof GraphQLError) return undefined;
      throw error;
    }
    costings.set(key, result);
    return result;
  };
}

/** Armor's refusals ("Syntax Error: Aliases limit of 15 exceeded, found 16."), reported as ours. */
const reportAs = (limit: string) => ({
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      const [, max, actual] = /limit of (\d+) exceeded, found (\d+)/.exec(error.message) ?? [];
      const message = `${error.message.replace(/^Syntax Error: /, '').replace(/\.$/, '')} (${limit})`;
      context?.reportError(refusal(message, limit, Number(max), Number(actual)));
    },
  ],
});

/** The request's GraphQL parameters, which yoga (and our WebSocket server) put in the context. */
interface WithParams {
  params?: { variables?: Record<string, unknown> | null; operationName?: string | null };
}

/** The envelop plugin enforcing `limits`. */
export function useQueryLimits(limits: QueryLimits): Plugin {
  const cost = createCosting();
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        EnvelopArmorPlugin({
          maxAliases: { n: limits.maxAliases, ...reportAs('MAX_QUERY_ALIASES') },
          maxDirectives: { n: MAX_DIRECTIVES, ...reportAs('directives') },
          maxTokens: { n: MAX_TOKENS },
          // Cost and depth are ours, computed with the variables.
          costLimit: { enabled: false },
          maxDepth: { enabled: false },
          // Suggestions ("did you mean …") help people writing queries; the schema is public to them anyway.
          blockFieldSuggestion: { enabled: false },
        }),
      );
    },
    // Checked once the document is valid, on every request: yoga caches validation results by
    // document, and the cost depends on the variables. A refusal is thrown rather than set as
    // the result, so that the cache never files it under the document.
    onValidate({ params: { schema, documentAST }, context }) {
      return ({ valid }) => {
        if (!valid) return;
        const params = (context as WithParams).params;
        const variables = params?.variables ?? {};
        const refused = variablesRefusal(variables);
        if (refused) throw refused;
        const result = cost(schema, documentAST, params?.operationName ?? undefined, variables, context);
        const over = result && overLimit(result, limits);
        if (over) throw over;
      };
    },
  };
}
