// Planner statistics that keep up with the sync. A page's statement is prepared, and the plan
// Postgres caches for it was made for the tables as they were: made while a table held a
// handful of rows, it may look each key up by scanning the table, which costs a scan per item
// once the table has grown, until autovacuum analyzes it (a minute or more away, while an
// initial sync grows tables by thousands of rows a second). So the syncer analyzes a table as
// soon as its own inserts have doubled it: every plan cached for the table is then made anew.
// Those analyses read the key columns only, and each resets the table's count of changes since
// its last analysis, so autovacuum would not analyze the other columns for a long while (the
// planner then guesses `deleted_at IS NULL` matches a handful of rows): at the end of the session
// that did them, each such table gets a full ANALYZE.
import type { PrismaClient } from '../db/client.ts';
import { isResourceType, TABLES } from '../resource-types.ts';
import type { Logger } from '../logger.ts';
import { keyColumnsOf, OTHER_KEY_COLUMNS } from './page-sql.ts';
import type { ChangeCount } from './apply-page.ts';

/** Options for {@link createStatisticsKeeper}. */
export interface StatisticsOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Rows inserted before a table is first analyzed, and at least between two analyses. */
  minRows?: number;
}

export interface StatisticsKeeper {
  /** Counts the changes of a committed page; analyzes the tables they doubled. */
  record(changes: readonly ChangeCount[]): void;
  /** Resolves once the analyses under way are done. */
  settled(): Promise<void>;
  /** Analyzes whole the tables that got key-column analyses (at the end of a completed session). */
  analyzeGrown(): Promise<void>;
}

/** The table a change of `type` went to, and the columns the page statement looks its rows up by. */
const tableOf = (type: string) =>
  isResourceType(type) ? { table: TABLES[type], keys: keyColumnsOf(type) } : { table: 'other_resources', keys: OTHER_KEY_COLUMNS };

/**
 * The tables to analyze now: those whose rows inserted since their last analysis reach what
 * they held then (and at least `minRows`). Pure.
 */
export function tablesToAnalyze(inserted: ReadonlyMap<string, number>, analyzedRows: ReadonlyMap<string, number>, minRows: number): string[] {
  return [...inserted].filter(([table, n]) => n >= Math.max(minRows, analyzedRows.get(table) ?? 0)).map(([table]) => table);
}

export function createStatisticsKeeper(options: StatisticsOptions): StatisticsKeeper {
  const { prisma } = options;
  const log = options.logger.child({ component: 'statistics' });
  const minRows = options.minRows ?? 500;
  const inserted = new Map<string, number>();
  const analyzedRows = new Map<string, number>();
  const keysOf = new Map<string, readonly string[]>();
  const busy = new Set<string>();
  /** Tables with key-column statistics only, since their last full analysis. */
  const partial = new Set<string>();
  let analyses: Promise<void> = Promise.resolve();

  // One at a time, beside the sync: ANALYZE takes no lock that writes wait for.
  const analyze = (table: string) => {
    busy.add(table);
    inserted.set(table, 0);
    analyses = analyses.then(async () => {
      try {
        // The table's size is what the lookups' plans need: the key columns only, from a small
        // sample (a full one reads every page of a table under 30,000 pages, again at each
        // doubling). Autovacuum's own analyses bring the full statistics later.
        // Table names come from our own constant list, never from input.
        const started = performance.now();
        await prisma.$transaction([
          prisma.$executeRawUnsafe('SET LOCAL default_statistics_target = 1'),
          prisma.$executeRawUnsafe(`ANALYZE "${table}" (${keysOf.get(table)!.map((k) => `"${k}"`).join(', ')})`),
        ]);
        const [row] = await prisma.$queryRawUnsafe<Array<{ rows: number }>>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = '"${table}"'::regclass`);
        analyzedRows.set(table, Math.max(0, row?.rows ?? 0));
        partial.add(table);
        log.debug({ table, rows: row?.rows, ms: Math.round(performance.now() - started) }, 'analyzed a table the sync has grown');
      } catch (error) {
        log.warn({ err: error, table }, 'could not analyze a table the sync has grown; autovacuum will');
      } finally {
        busy.delete(table);
      }
    });
  };

  return {
    record(changes) {
      for (const { type, kind, count } of changes) {
        if (kind !== 'CREATED') continue;
        const { table, keys } = tableOf(type);
        keysOf.set(table, keys);
        inserted.set(table, (inserted.get(table) ?? 0) + count);
      }
      for (const table of tablesToAnalyze(inserted, analyzedRows, minRows)) if (!busy.has(table)) analyze(table);
    },
    settled: () => analyses,
    analyzeGrown: () =>
      (analyses = analyses.then(async () => {
        for (const table of [...partial]) {
          partial.delete(table);
          const started = performance.now();
          // Every column, at the configured statistics target: what autovacuum's analysis would give.
          await prisma.$executeRawUnsafe(`ANALYZE "${table}"`).then(
            () => log.debug({ table, ms: Math.round(performance.now() - started) }, 'analyzed a table the sync has grown, every column'),
            (error: unknown) => log.warn({ err: error, table }, 'could not analyze a table the sync has grown; autovacuum will'),
          );
        }
      })),
  };
}
