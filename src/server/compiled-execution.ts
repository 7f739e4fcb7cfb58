// Runs a query as ONE SQL statement that builds its answer's JSON in Postgres (src/schema/sql),
// when the compiler covers the whole operation; otherwise, and whenever the statement fails, the
// Pothos resolvers run it as before, so their answers and errors stay the authority. Placed before
// the response cache, which then wraps whichever path ran. Executions are counted by path
// (bsg_graphql_executions_total{path="compiled"|"resolvers"}).
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, type Registry } from 'prom-client';
import { PREPARED, queryText, type PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Context } from '../schema/builder.ts';
import { answerOf, compileQuery, type CompiledQuery, type CompileResult } from '../schema/sql/compile.ts';
// A compilation that read custom-field types holds as long as sql-connection.ts keeps the types.
import { customFieldTypes, TYPES_TTL_MS } from '../schema/sql-connection.ts';
import { createDocumentMemo } from './document-memo.ts';

/** Options for {@link useCompiledExecution}. */
export interface CompiledExecutionOptions {
  /** Where executions are counted by path; none when absent. */
  metrics?: Registry;
  /** Told when a compiled statement fails (the resolvers then answer). */
  logger?: Logger;
}

interface Compilation {
  result: CompileResult;
  /** When it stops holding (it read custom-field types), or never. */
  until: number;
}

/** Compiles each (document, operation, variables) once: the text, values and post-processing are the same every time. */
function createCompilations() {
  const compilations = createDocumentMemo<Compilation>();
  return async (schema: GraphQLSchema, prisma: PrismaClient, args: ExecutionArgs): Promise<CompileResult> => {
    const key = compilations.keyOf(args.document, args.operationName, args.variableValues);
    const known = compilations.get(key);
    if (known && known.until > Date.now()) return known.result;
    let readTypes = false;
    const result = await compileQuery({
      schema,
      document: args.document,
      operationName: args.operationName,
      variables: args.variableValues as Record<string, unknown> | null | undefined,
      customFieldTypes: (name) => {
        readTypes = true;
        return customFieldTypes(prisma, name);
      },
    });
    compilations.set(key, { result, until: readTypes ? Date.now() + TYPES_TTL_MS : Infinity });
    return result;
  };
}

/**
 * The answer to a compiled query. Postgres wrote its text as JSON.stringify would: yoga sends that
 * text as it is (through the result's `stringify`), unless something read `data` on the way (the
 * response cache does), which parses it then. Answers JavaScript finishes are parsed at once.
 */
function compiledResult(query: CompiledQuery, text: string): ExecutionResult {
  if (query.post) return { data: answerOf(query, text) };
  let data: Record<string, unknown> | undefined;
  const result = {
    get data(): Record<string, unknown> {
      return (data ??= answerOf(query, text));
    },
    set data(value: Record<string, unknown>) {
      data = value;
    },
    stringify: (value: unknown): string => (value === result && data === undefined ? `{"data":${text}}` : JSON.stringify(value)),
  };
  return result;
}

export function useCompiledExecution(options: CompiledExecutionOptions = {}): Plugin {
  const executions = options.metrics
    ? new Counter({
        name: 'bsg_graphql_executions_total',
        help: 'Executed queries (not answered from the response cache), by path: compiled (one SQL statement building the JSON) or resolvers.',
        labelNames: ['path'] as const,
        registers: [options.metrics],
      })
    : undefined;
  const compile = createCompilations();
  // The marked text of each compiled query, built once: a text concatenated per request would be
  // a new string whose hash (the prepared statement's name is looked up by text) is computed again.
  const preparedText = new WeakMap<CompiledQuery, string>();
  const textOf = (query: CompiledQuery) => {
    let text = preparedText.get(query);
    if (text === undefined) preparedText.set(query, (text = PREPARED + query.text));
    return text;
  };
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const { prisma } = args.contextValue as Context;
        let compiled: CompileResult | undefined;
        try {
          compiled = await compile(args.schema, prisma, args);
        } catch (error) {
          // The compiler failing (it never should): the resolvers answer.
          options.logger?.warn({ err: error }, 'compiling a query failed; resolvers answer it');
        }
        if (compiled?.covered) {
          try {
            const rows = await queryText(prisma, textOf(compiled.query), compiled.query.values);
            executions?.inc({ path: 'compiled' });
            return compiledResult(compiled.query, rows[0]!.data as string);
          } catch (error) {
            // A value Postgres refuses (a bad date in a filter, say) or an outage: the resolvers
            // answer, with their own errors and whatever fields they can still fill.
            options.logger?.debug({ err: error }, 'compiled query failed; resolvers answer it');
          }
        }
        executions?.inc({ path: 'resolvers' });
        return executeFn(args);
      });
    },
  };
}
