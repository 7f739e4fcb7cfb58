// What is worked out once per (document, operation, variables) and reused while the same request
// comes again: a query's cost (query-limits.ts), its compiled statement (compiled-execution.ts).
// One LRU bounded in entries across every document, and requests with large variables are not
// kept at all: the keys come from clients, so nothing a client sends may grow it without bound.
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Options for {@link createDocumentMemo}. */
export interface DocumentMemoOptions {
  /** Entries kept across all documents; the least recently used go first. */
  max?: number;
  /** Variables longer than this (as JSON) are worked out every time, never kept. */
  maxVariablesChars?: number;
}

export interface DocumentMemo<T> {
  /** The key of a request, or undefined when it is not to be kept. */
  keyOf(document: DocumentNode, operationName: string | null | undefined, variables: unknown): string | undefined;
  get(key: string | undefined): T | undefined;
  set(key: string | undefined, value: T): void;
}

export function createDocumentMemo<T extends object>({ max = 2000, maxVariablesChars = 4096 }: DocumentMemoOptions = {}): DocumentMemo<T> {
  // Documents numbered as first seen (yoga hands the same parsed document for the same text).
  const ids = new WeakMap<DocumentNode, number>();
  let next = 0;
  const kept = new LRUCache<string, T>({ max });
  return {
    keyOf(document, operationName, variables) {
      const json = JSON.stringify(variables ?? {});
      if (json.length > maxVariablesChars) return undefined;
      let id = ids.get(document);
      if (id === undefined) ids.set(document, (id = next++));
      return `${id}\n${operationName ?? ''}\n${json}`;
    },
    get: (key) => (key === undefined ? undefined : kept.get(key)),
    set: (key, value) => {
      if (key !== undefined) kept.set(key, value);
    },
  };
}
