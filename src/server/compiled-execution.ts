// Runs a query as ONE SQL statement that builds its answer's JSON in Postgres (src/schema/sql),
// when the compiler covers the whole operation; otherwise, and whenever the statement fails, the
// Pothos resolvers run it as before, so their answers and errors stay the authority. Placed before
// the response cache, which then wraps whichever path ran. Executions are counted by path
// (bsg_graphql_executions_total{path="compiled"|"resolvers"}).
import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, type Registry } from 'prom-client';
import { PREPARED } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Context } from '../schema/builder.ts';
import { answerOf, compileQuery } from '../schema/sql/compile.ts';
import { customFieldTypes } from '../schema/sql-connection.ts';

/** Options for {@link useCompiledExecution}. */
export interface CompiledExecutionOptions {
  /** Where executions are counted by path; none when absent. */
  metrics?: Registry;
  /** Told when a compiled statement fails (the resolvers then answer). */
  logger?: Logger;
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
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const { prisma } = args.contextValue as Context;
        try {
          const compiled = await compileQuery({
            schema: args.schema,
            document: args.document,
            operationName: args.operationName,
            variables: args.variableValues as Record<string, unknown> | null | undefined,
            customFieldTypes: (name) => customFieldTypes(prisma, name),
          });
          if (compiled.covered) {
            const rows = await prisma.$queryRawUnsafe<Array<{ data: string }>>(PREPARED + compiled.query.text, ...compiled.query.values);
            const data = answerOf(compiled.query, rows[0]!.data);
            executions?.inc({ path: 'compiled' });
            return { data };
          }
        } catch (error) {
          // A value Postgres refuses (a bad date in a filter, say): the resolvers say what is wrong.
          options.logger?.debug({ err: error }, 'compiled query failed; resolvers answer it');
        }
        executions?.inc({ path: 'resolvers' });
        return executeFn(args);
      });
    },
  };
}
