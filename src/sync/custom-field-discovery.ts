// Keeps `custom_fields` up to date: after sessions that changed leads, contacts or deals, the
// syncer rereads that type's values in the database (one statement, src/store/custom-fields.ts)
// and Base's definitions when they are old or values name a field they lack. Runs in
// the background, one refresh at a time, spaced so that it never costs the sync much: at least
// `minIntervalMs` apart, and ten times as long as the last one took.
import type { Logger } from '../logger.ts';
import type { PrismaClient } from '../db/client.ts';
import {
  CUSTOM_FIELD_TYPES,
  discoverCustomFields,
  reconcileCustomFieldIndexes,
  type CustomFieldOwner,
  type DefinitionsInput,
  type DiscoveredField,
} from '../store/custom-fields.ts';
import type { CustomFieldDefinition } from './client.ts';

/** Options for {@link createCustomFieldDiscovery}. */
export interface CustomFieldDiscoveryOptions {
  prisma: PrismaClient;
  /** Reads Base's definitions of a type (GET /v2/{type}/custom_fields). */
  readDefinitions(type: CustomFieldOwner): Promise<CustomFieldDefinition[] | 'unreadable'>;
  logger: Logger;
  /** Least pause between two refreshes (default 1 s). */
  minIntervalMs?: number;
  /** Definitions read from Base are read again after this long (default 10 minutes), or as soon as values name a field they lack. */
  definitionsMaxAgeMs?: number;
}

export interface CustomFieldDiscovery {
  /** Refreshes these types soon (requests coalesce); resolves once they, and any refresh under way, are done. */
  refresh(types: Iterable<string>): Promise<void>;
  /** Ends waiting; a refresh under way finishes. Resolves when nothing runs any more. */
  stop(): Promise<void>;
}

const isOwner = (type: string): type is CustomFieldOwner => (CUSTOM_FIELD_TYPES as readonly string[]).includes(type);

export function createCustomFieldDiscovery(options: CustomFieldDiscoveryOptions): CustomFieldDiscovery {
  const { prisma, minIntervalMs = 1000, definitionsMaxAgeMs = 10 * 60_000 } = options;
  const log = options.logger.child({ component: 'custom-fields' });
  const pending = new Set<CustomFieldOwner>();
  /** When Base's definitions of a type were last read, and whether they could be. */
  const read = new Map<CustomFieldOwner, { at: number; readable: boolean }>();
  const known = new Map<CustomFieldOwner, Set<string>>();
  /** Fields with values that the definitions did not name when they were last read again for them. */
  const undefinedNames = new Map<CustomFieldOwner, Set<string>>();
  let running: Promise<void> | undefined;
  let nextAt = 0;
  let stopped = false;
  let wake: (() => void) | undefined;

  async function definitionsFor(type: CustomFieldOwner, force: boolean): Promise<DefinitionsInput> {
    const last = read.get(type);
    if (!force && last && Date.now() - last.at < definitionsMaxAgeMs) return last.readable ? 'stored' : 'unreadable';
    try {
      const definitions = await options.readDefinitions(type);
      read.set(type, { at: Date.now(), readable: definitions !== 'unreadable' });
      if (definitions === 'unreadable') {
        if (last?.readable !== false) log.info(`the token may not read the ${type} custom field definitions: their types are inferred from the values`);
        return 'unreadable';
      }
      return { read: definitions };
    } catch (error) {
      log.warn({ err: error }, `could not read the ${type} custom field definitions; keeping those known`);
      return last?.readable === false ? 'unreadable' : 'stored';
    }
  }

  async function refreshType(type: CustomFieldOwner): Promise<void> {
    let definitions = await definitionsFor(type, false);
    let fields = await discoverCustomFields(prisma, type, definitions);
    // A value of a field the definitions lack: Base has likely defined it since they were read.
    const seen = undefinedNames.get(type) ?? new Set<string>();
    const fresh = fields.filter((f) => f.source === 'values' && f.objects > 0 && !seen.has(f.name));
    if (fresh.length && read.get(type)?.readable && definitions === 'stored') {
      definitions = await definitionsFor(type, true);
      fields = await discoverCustomFields(prisma, type, definitions);
    }
    undefinedNames.set(type, new Set(fields.filter((f) => f.source === 'values').map((f) => f.name)));
    report(type, fields);
    const { created, dropped } = await reconcileCustomFieldIndexes(prisma, type, fields);
    if (created.length || dropped.length) log.info({ type, created, dropped }, `custom field indexes of ${type}: ${created.length} created, ${dropped.length} dropped`);
  }

  function report(type: CustomFieldOwner, fields: readonly DiscoveredField[]): void {
    const before = known.get(type);
    const now = new Set(fields.map((f) => f.name));
    known.set(type, now);
    const added = fields.filter((f) => !before?.has(f.name));
    if (added.length === 0) return;
    const names = added.slice(0, 10).map((f) => `${f.name} (${f.type})`).join(', ');
    log[before ? 'info' : 'debug']({ type, fields: added.length }, `${added.length} ${before ? 'new ' : ''}custom fields of ${type}: ${names}${added.length > 10 ? ', …' : ''}`);
  }

  async function loop(): Promise<void> {
    while (pending.size > 0 && !stopped) {
      const wait = nextAt - Date.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, wait).unref();
        });
        wake = undefined;
        if (stopped) break;
      }
      const types = [...pending];
      pending.clear();
      const started = Date.now();
      for (const type of types) {
        try {
          await refreshType(type);
        } catch (error) {
          log.error({ err: error }, `discovering the ${type} custom fields failed; trying again after the next session`);
        }
      }
      const took = Date.now() - started;
      nextAt = Date.now() + Math.max(minIntervalMs, 10 * took);
    }
  }

  return {
    refresh(types) {
      for (const type of types) if (isOwner(type)) pending.add(type);
      if (stopped || pending.size === 0) return running ?? Promise.resolve();
      running ??= loop().finally(() => {
        running = undefined;
      });
      return running;
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
