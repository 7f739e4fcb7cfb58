// Whole answers to queries, kept until the mirror changes. The mirror only changes through the
// sync, which writes a change event with every change it commits, so the newest change's `seq` is
// the mirror's version: an answer is filed under the version read before it was computed, and
// a request only finds answers filed under the version it reads itself. Nothing is ever served
// from before the newest commit, in this process or any other writing to the same database.
// (envelop's plugin rather than yoga's: yoga's also answers If-None-Match from the cache by key
// alone, before a version could be read.)
import { defaultBuildResponseCacheKey, useResponseCache, type Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { Counter, type Registry } from 'prom-client';
import type { PrismaClient } from '../db/client.ts';
import { newestChangeSeq } from '../store/change-log.ts';

/** Fields whose answer changes without a change event: a query with one is never cached. */
const UNCACHED_FIELDS = ['Query.syncStatus', 'Query.changeHistory', 'Query.latestChangeCursor', 'Query.customFieldDefinitions'] as const;

/** The version of a key whose version could not be read: never filed. */
const UNKNOWN = '?';

/** Options for {@link useMirrorResponseCache}. */
export interface ResponseCacheOptions {
  prisma: PrismaClient;
  /** Memory the cached answers may take, in bytes (as JSON text). */
  maxBytes: number;
  /** Where hits and misses are counted. */
  metrics?: Registry;
}

/**
 * Reads the mirror's version; the requests that ask before a read is sent share it (one query
 * per burst of requests), and none gets a read sent before it asked.
 */
function batchedReads(read: () => Promise<string>): () => Promise<string> {
  let next: Promise<string> | undefined;
  return () =>
    (next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = undefined;
      return read().catch(() => UNKNOWN);
    }));
}

/** The version a key was built with: its end. */
const versionOf = (key: string) => key.slice(key.lastIndexOf('@') + 1);

export function useMirrorResponseCache(options: ResponseCacheOptions): Plugin {
  // An answer larger than the whole cache is not kept (lru-cache's maxEntrySize is maxSize).
  const answers = new LRUCache<string, ExecutionResult>({
    maxSize: options.maxBytes,
    sizeCalculation: (answer) => Math.max(1, JSON.stringify(answer).length),
  });
  const lookups = options.metrics
    ? new Counter({
        name: 'bsg_graphql_response_cache_lookups_total',
        help: 'Queries looked up in the response cache, by result (hit or miss).',
        labelNames: ['result'] as const,
        registers: [options.metrics],
      })
    : undefined;
  // The newest version read; answers of older ones are never looked up again.
  let newest = -1n;
  const version = batchedReads(async () => {
    const seq = await newestChangeSeq(options.prisma);
    if (seq > newest) {
      newest = seq;
      answers.clear();
    }
    return String(seq);
  });
  const cache: Cache = {
    get(key) {
      const answer = answers.get(key);
      lookups?.inc({ result: answer ? 'hit' : 'miss' });
      return answer;
    },
    set(key, answer) {
      // Not when computed under an older version (a newer one was read meanwhile), or an unknown one.
      if (versionOf(key) === String(newest)) answers.set(key, answer);
    },
    // The API has no mutations; a commit changes the version instead.
    invalidate() {},
  };
  return useResponseCache({
    cache,
    // Every API key sees the same mirror: one cache for all.
    session: () => null,
    buildResponseCacheKey: async (params) => {
      const [key, at] = await Promise.all([defaultBuildResponseCacheKey(params), version()]);
      return `${key}@${at}`;
    },
    // Answers are never invalidated by entity, so no ids need collecting.
    idFields: [],
    ttlPerSchemaCoordinate: Object.fromEntries(UNCACHED_FIELDS.map((field) => [field, 0])),
  });
}
