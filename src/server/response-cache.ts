// Whole answers to queries, kept until a type they read changes. The mirror only changes through
// the sync, which writes a change event with every change it commits; a trigger keeps, per type,
// the `seq` of its newest change in change_type_versions, in the same transaction (rejected items,
// which change without events, count their own). An answer is filed under the versions, read
// before it was computed, of the types its operation reads (read-types.ts), and a request only
// finds answers filed under the versions it reads itself: a burst of lead changes leaves a deals
// answer alone, and nothing is ever served from before the newest commit of what it read, in this
// process or any other writing to the same database. Answers are kept as the JSON text yoga
// sends (half the memory of the objects, and no serializing per hit).
// (envelop's plugin rather than yoga's: yoga's also answers If-None-Match from the cache by key
// alone, before a version could be read.)
import { createHash } from 'node:crypto';
import { useResponseCache, type BuildResponseCacheKeyFunction, type Cache } from '@envelop/response-cache';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { Counter, type Registry } from 'prom-client';
import { PREPARED, type PrismaClient } from '../db/client.ts';
import { createReadTypes, type ReadTypes } from './read-types.ts';

/** Fields whose answer changes without a change event: a query with one is never cached. */
const UNCACHED_FIELDS = ['Query.syncStatus', 'Query.changeHistory', 'Query.latestChangeCursor', 'Query.customFieldDefinitions', 'Query.rejectedItems'] as const;

/** What a commit drops: the answers that read a type it changed, or every answer. */
export type ResponseCacheScope = 'type' | 'mirror';

/** Options for {@link useMirrorResponseCache}. */
export interface ResponseCacheOptions {
  prisma: PrismaClient;
  schema: GraphQLSchema;
  /** Memory the cached answers may take, in bytes (as JSON text). */
  maxBytes: number;
  /** 'type' (default): an answer is dropped when a type it read changes; 'mirror': when anything does. */
  scope?: ResponseCacheScope;
  /** Where hits and misses are counted. */
  metrics?: Registry;
}

/** Versions by change type, as last read; undefined when they could not be read. */
type Versions = ReadonlyMap<string, bigint> | undefined;

/**
 * Reads the versions; the requests that ask before a read is sent share it (one query per burst
 * of requests), and none gets a read sent before it asked.
 */
function batchedReads<T>(read: () => Promise<T>, failed: T): () => Promise<T> {
  let next: Promise<T> | undefined;
  return () =>
    (next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = undefined;
      return read().catch(() => failed);
    }));
}

/** `type=version,…` of the types read (all known ones for '*'), sorted: what an answer is filed under. */
export function stampOf(types: ReadTypes, versions: ReadonlyMap<string, bigint>): string {
  const names = types === '*' ? [...versions.keys()].sort() : [...types].sort();
  return names.map((t) => `${t}=${versions.get(t) ?? 0n}`).join(',');
}

/** Every version of a stamp is still the newest one read. */
const isNewest = (stamp: string, newest: ReadonlyMap<string, bigint>) =>
  stamp === '' || stamp.split(',').every((pair) => {
    const at = pair.lastIndexOf('=');
    return String(newest.get(pair.slice(0, at)) ?? 0n) === pair.slice(at + 1);
  });

/** A cached answer: yoga writes its text as it is (`stringify`); anything else sees the object. */
function answerOf(text: string): ExecutionResult {
  const parsed = () => JSON.parse(text) as ExecutionResult;
  return {
    stringify: () => text,
    toJSON: parsed,
    get data() {
      return parsed().data;
    },
  } as ExecutionResult;
}

/**
 * A request's key: a hash of its document, operation and variables, computed at once (envelop's
 * default hashes with WebCrypto, a hop through the thread pool on every request, hit or miss).
 */
const requestKey = (params: Parameters<BuildResponseCacheKeyFunction>[0]): string =>
  createHash('sha256')
    .update(`${params.documentString}|${params.operationName ?? ''}|${JSON.stringify(params.variableValues ?? {})}`)
    .digest('base64url');

/** The separator of a key's hash and stamp (neither holds it). */
const AT = '#';

export function useMirrorResponseCache(options: ResponseCacheOptions): Plugin {
  const { prisma, scope = 'type' } = options;
  // An answer larger than the whole cache is not kept (lru-cache's maxEntrySize is maxSize).
  const answers = new LRUCache<string, { stamp: string; text: string }>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => Math.max(1, entry.text.length + entry.stamp.length + key.length),
  });
  const lookups = options.metrics
    ? new Counter({
        name: 'bsg_graphql_response_cache_lookups_total',
        help: 'Queries looked up in the response cache, by result (hit or miss).',
        labelNames: ['result'] as const,
        registers: [options.metrics],
      })
    : undefined;
  // What each document reads (its text is the key: the plugin hands the key builder no AST).
  const readTypes = createReadTypes(options.schema);
  const typesOf = new LRUCache<string, ReadTypes>({ max: 1000 });
  const typesRead = (document: string): ReadTypes => {
    if (scope === 'mirror') return '*';
    let types = typesOf.get(document);
    if (!types) typesOf.set(document, (types = readTypes(document)));
    return types;
  };
  // The newest versions read; answers filed under older ones are never looked up again.
  const newest = new Map<string, bigint>();
  const versions = batchedReads<Versions>(async () => {
    const rows = await prisma.$queryRawUnsafe<Array<{ type: string; version: bigint }>>(`${PREPARED}SELECT "type", "version" FROM "change_type_versions"`);
    for (const { type, version } of rows) if (version > (newest.get(type) ?? -1n)) newest.set(type, version);
    return new Map(rows.map((r) => [r.type, r.version]));
  }, undefined);

  const cache: Cache = {
    get(key) {
      const at = key.lastIndexOf(AT);
      const entry = at < 0 ? undefined : answers.get(key.slice(0, at));
      const hit = entry !== undefined && entry.stamp === key.slice(at + 1);
      lookups?.inc({ result: hit ? 'hit' : 'miss' });
      return hit ? answerOf(entry.text) : undefined;
    },
    set(key, answer) {
      const at = key.lastIndexOf(AT);
      // Not when the versions could not be read, or a newer one of a type it read was read meanwhile.
      if (at < 0 || !isNewest(key.slice(at + 1), newest)) return;
      answers.set(key.slice(0, at), { stamp: key.slice(at + 1), text: JSON.stringify(answer) });
    },
    // The API has no mutations; a commit changes the versions instead.
    invalidate() {},
  };
  return useResponseCache({
    cache,
    // Every API key sees the same mirror: one cache for all.
    session: () => null,
    buildResponseCacheKey: async (params) => {
      const key = requestKey(params);
      const read = await versions();
      // Unreadable versions: a key that finds nothing and is never filed.
      return read ? `${key}${AT}${stampOf(typesRead(params.documentString), read)}` : key;
    },
    // Answers are never invalidated by entity, so no ids need collecting.
    idFields: [],
    ttlPerSchemaCoordinate: Object.fromEntries(UNCACHED_FIELDS.map((field) => [field, 0])),
    // The stored text is the answer as sent: no cache metadata in it, whatever NODE_ENV says.
    includeExtensionMetadata: false,
  });
}
