// The GraphQL request metrics /metrics has always shown, with the names, labels, help texts and
// buckets of yoga's and envelop's Prometheus plugins (@graphql-yoga/plugin-prometheus,
// @envelop/prometheus), which dashboards and alerts use: graphql_yoga_http_duration,
// graphql_envelop_request_duration and graphql_envelop_error_result. Recorded here rather than by
// the plugins because those cost about a fifth of the server's CPU per small query (label
// objects rebuilt and filtered per hook, spread contexts, arrays of handlers filtered per
// request), for three series. Labels are derived as the plugins derive them (quirks included:
// the envelop series name the document's first definition; a subscription's error has no phase).
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The envelop series' labels of one operation (its parse result); none when it did not parse. */
interface OperationLabels {
  operationName: string;
  operationType: string;
}

/** The http series' labels of one request's operation (graphql's choice by operationName). */
interface HttpOperation {
  operationName: string | undefined;
  operationType: string | undefined;
}

interface WithParams {
  params?: { operationName?: string | null };
  request?: Request;
}

/**
 * A request's URL without its query string: the plugin labelled the whole URL, so every distinct
 * GET query made a series of its own, a memory any client could grow without bound.
 */
const withoutQuery = (url: string) => {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
};

export function useRequestMetrics(registry: Registry): Plugin {
  const http = new Histogram({
    name: 'graphql_yoga_http_duration',
    help: 'Time spent on HTTP connection',
    labelNames: ['operationName', 'operationType', 'method', 'statusCode', 'url'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_envelop_request_duration',
    help: 'Time spent on running the GraphQL operation from parse to execute',
    labelNames: ['operationType', 'operationName'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'Counts the amount of errors reported from all phases',
    labelNames: ['operationType', 'operationName', 'path', 'phase'],
    registers: [registry],
  });
  const startOf = new WeakMap<Request, number>();
  const httpOperationOf = new WeakMap<Request, HttpOperation>();
  const labelsOf = new WeakMap<object, OperationLabels>();

  const countError = (labels: Partial<OperationLabels>, phase: string | undefined, error?: { path?: readonly (string | number)[] | undefined }) => {
    const values: Record<string, string | undefined> = { operationName: labels.operationName, operationType: labels.operationType, phase };
    if (error?.path) values['path'] = error.path.join('.');
    errors.labels(values).inc();
  };
  /** Counts the errors of one result and, at its end, the operation's duration. */
  const onDone = (labels: OperationLabels, start: number) => {
    const counted = (result: ExecutionResult) => {
      for (const error of result.errors ?? []) countError(labels, 'execute', error as GraphQLError);
    };
    const end = () => duration.observe({ operationName: labels.operationName, operationType: labels.operationType }, (performance.now() - start) / 1000);
    return ({ result }: { result: unknown }) => {
      if (isAsyncIterable(result)) return { onNext: ({ result }: { result: ExecutionResult }) => counted(result), onEnd: end };
      counted(result as ExecutionResult);
      end();
      return undefined;
    };
  };

  return {
    onRequest({ request }) {
      startOf.set(request, performance.now());
    },
    onParse({ context }) {
      return ({ result, context: parsed }) => {
        const ctx = (parsed ?? context) as WithParams;
        if (result === null || result instanceof Error) {
          countError({}, 'parse', result ?? undefined);
          return;
        }
        const document = result as DocumentNode;
        const first = document.definitions[0] as { name?: { value: string }; operation?: string };
        labelsOf.set(ctx, {
          operationName: ctx.params?.operationName || first.name?.value || 'Anonymous',
          operationType: first.operation as string,
        });
        if (ctx.request) {
          const operation = getOperationAST(document, ctx.params?.operationName);
          httpOperationOf.set(ctx.request, { operationName: operation?.name?.value, operationType: operation?.operation });
        }
      };
    },
    onValidate({ context }) {
      const labels = labelsOf.get(context);
      if (!labels) return undefined;
      return ({ valid }) => {
        if (!valid) countError(labels, 'validate');
      };
    },
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context, error }) => {
        const labels = labelsOf.get(context);
        if (labels) countError(labels, 'context', error as GraphQLError);
      });
    },
    onExecute({ args }) {
      const labels = labelsOf.get(args.contextValue as object);
      if (!labels) return undefined;
      return { onExecuteDone: onDone(labels, performance.now()) };
    },
    onSubscribe({ args }) {
      const labels = labelsOf.get(args.contextValue as object);
      if (!labels) return undefined;
      return {
        onSubscribeResult: onDone(labels, performance.now()),
        onSubscribeError: () => countError(labels, undefined),
      };
    },
    onResponse({ request, response }) {
      const start = startOf.get(request);
      const operation = httpOperationOf.get(request);
      if (start === undefined || !operation) return;
      http.observe(
        {
          method: request.method,
          statusCode: response.status,
          operationType: operation.operationType || 'unknown',
          operationName: operation.operationName || 'Anonymous',
          url: withoutQuery(request.url),
        },
        (performance.now() - start) / 1000,
      );
    },
  };
}
