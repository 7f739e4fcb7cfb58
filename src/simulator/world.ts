// The ground truth: which objects exist, at which revision. Every object has a dense "handle"
// (an index into typed arrays holding its type, id, revision and liveness); payloads are derived
// on demand by the generator and merged with a per-object override record, so a 1,000,000-object
// world costs ~20 bytes per object and seeds in milliseconds.
//
// Seeded objects of a type occupy a contiguous handle range and a contiguous id range, so
// id → handle is arithmetic for them; objects created later are found through a small Map.
//
// Live associated contacts have distinct (deal_id, contact_id) pairs, as in Base. Seeded ones
// are generated so; the world indexes the live pairs (built on first need by one pass over the
// associated contacts, then maintained by create/update/delete) so that created ones draw a
// free pair and a create or update naming a pair in use is refused.
import { CUSTOM_FIELD_RESOURCES, seededDefinitions, type CustomFieldDefinition, type CustomFieldResource, type CustomFieldType } from './custom-fields.ts';
import { createGenerator, firstIdOf, isoTime, planCounts, type Generator, type Payload, type SeededRange } from './generator.ts';
import { pascalCase } from '../resource-types.ts';
import { GENERATED_TYPES } from './resource-types.ts';
import { createRng, hashString, type Rng } from './random.ts';
import { createRevisions, type RevisionModel } from './revisions.ts';

const ASSOCIATED_CONTACT = 'associated_contact';

/** Index key of a complete (deal_id, contact_id) pair; undefined unless both are numbers. */
export function pairKey(dealId: unknown, contactId: unknown): string | undefined {
  return typeof dealId === 'number' && typeof contactId === 'number' ? `${dealId}:${contactId}` : undefined;
}

/** Options of {@link World.create}. */
export interface CreateOptions {
  /** The id (default: the type's next id). */
  id?: number;
  /** Fields merged over the generated ones (they win over drawn references). */
  data?: Payload;
  /** Randomness of the drawn references (default: the world's own). */
  rng?: Rng;
  /** Pairs a new associated contact must not draw, besides live ones (a batch reserves what it names). */
  avoidPair?: (dealId: number, contactId: number) => boolean;
}

/** What a world is generated from. */
export interface WorldSpec {
  /** Seed of every generated value. */
  seed: number;
  /** Total number of objects, spread over the types like a real account. */
  total?: number;
  /** Exact per-type counts (any type name); wins over `total`. */
  counts?: Partial<Record<string, number>>;
  /** How states are numbered (default `clock`: account-wide, increasing). */
  revisions?: RevisionModel;
  /** A clock continues after this revision (an account's revisions never go back). */
  clockAfter?: number;
}

export interface TypeTable {
  readonly name: string;
  readonly index: number;
  /** The type as spelled in ack keys (`LineItem`). */
  readonly pascal: string;
  readonly firstId: number;
  readonly seededCount: number;
  /** Handle of the seeded object with id `firstId`. */
  readonly seededBase: number;
  /** Next id handed to a created object. */
  nextId: number;
  /** Live objects of this type. */
  live: number;
  /** id → handle of objects outside the seeded range. */
  readonly extra: Map<number, number>;
  /** Handles of objects outside the seeded range, in creation order (for listing). */
  readonly extraHandles: number[];
}

export type ChangeKind = 'create' | 'update' | 'delete';
export type ChangeListener = (handle: number, kind: ChangeKind) => void;

export interface World {
  readonly seed: number;
  readonly types: readonly TypeTable[];
  /** Number of handles ever allocated (live or dead). */
  handleCount(): number;
  table(type: string): TypeTable | undefined;
  tableByPascal(pascal: string): TypeTable | undefined;
  typeOf(handle: number): TypeTable;
  idOf(handle: number): number;
  revisionOf(handle: number): number;
  isLive(handle: number): boolean;
  handleOf(table: TypeTable, id: number): number | undefined;
  /** The full payload of a live object. */
  payload(handle: number): Payload;
  /**
   * Creates an object (a new id unless `id` is given); answers its handle. Throws if the object
   * is live, or if an associated contact's (deal_id, contact_id) pair is already live. An
   * associated contact that names no complete pair draws a free one; if there is none, its
   * contact_id (or deal_id, when contact_id is given) is null.
   */
  create(type: string, options?: CreateOptions): number;
  /** Like `create`, but an associated contact without a free, complete pair is not created: answers undefined. */
  tryCreate(type: string, options?: CreateOptions): number | undefined;
  /** Merges `data` into an object and gives it its next revision (answered). Throws if it would give an associated contact a pair already live. */
  update(handle: number, data: Payload): number;
  delete(handle: number): void;
  /** Handle at listing position `pos` of a type (seeded range first, then created objects). */
  handleAt(table: TypeTable, pos: number): number | undefined;
  /** Number of listing positions of a type (live or dead). */
  positions(table: TypeTable): number;
  /** deal_id and contact_id of an associated contact. */
  pairOf(handle: number): readonly [dealId: unknown, contactId: unknown];
  /** Handle of the live associated contact with this pair, if any. */
  pairOwner(dealId: number, contactId: number): number | undefined;
  /** A random live id of a type (bounded probing: may answer null on a sparse type). */
  pickLive(type: string, rng: Rng, accept?: (id: number) => boolean): number | null;
  /** Live objects per type. */
  counts(): Record<string, number>;
  liveCount(): number;
  /** The newest revision handed out by the account's clock (0 when revisions are per-object counters). */
  lastRevision(): number;
  /** The account's custom field definitions of a type, oldest first. */
  customFieldDefinitions(resource: CustomFieldResource): readonly CustomFieldDefinition[];
  /** Defines a new custom field (its values come with the objects that get one); throws if the name is taken. */
  addCustomField(resource: CustomFieldResource, field: NewCustomField): CustomFieldDefinition;
  /** Registers the listener told about every change (the device queues). */
  onChange(listener: ChangeListener): void;
  readonly generator: Generator;
}

/** What {@link World.addCustomField} takes. */
export interface NewCustomField {
  name: string;
  type: CustomFieldType;
  choices?: string[];
  for_contact?: boolean;
  for_organisation?: boolean;
}

type Column = Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>;

/** `a`, or a copy at least twice as long when it holds fewer than `need` entries. */
function grow<A extends Column>(a: A, need: number): A {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (length: number) => A)(Math.max(need, a.length * 2, 1024));
  b.set(a);
  return b;
}

/** Per-type counts of a spec (exact counts win over a total). */
export function specCounts(spec: WorldSpec): Record<string, number> {
  if (spec.counts) {
    const out: Record<string, number> = {};
    for (const [type, n] of Object.entries(spec.counts)) if (n !== undefined) out[type] = Math.max(0, Math.floor(n));
    return out;
  }
  return planCounts(spec.total ?? 0);
}

export function createWorld(spec: WorldSpec): World {
  const seed = spec.seed;
  const counts = specCounts(spec);
  // Generated types in dependency order, then any other named type.
  const order = [...GENERATED_TYPES.filter((t) => (counts[t] ?? 0) > 0), ...Object.keys(counts).filter((t) => !(GENERATED_TYPES as readonly string[]).includes(t) && (counts[t] ?? 0) > 0)];
  const total = order.reduce((s, t) => s + (counts[t] ?? 0), 0);
  const revisions = createRevisions(spec.revisions ?? 'clock', spec.clockAfter);

  let typeIdx = new Uint16Array(Math.max(total, 1024));
  let ids = new Float64Array(Math.max(total, 1024));
  // Float64: a clock's revisions (past 1.3e9 from the start) must never wrap around as 32 bits would.
  let revs = new Float64Array(Math.max(total, 1024));
  let alive = new Uint8Array(Math.max(total, 1024));
  let handles = 0;
  const overrides = new Map<number, Payload>();
  const tables: TypeTable[] = [];
  const byName = new Map<string, TypeTable>();
  const byPascal = new Map<string, TypeTable>();
  const layout = new Map<string, SeededRange>();
  let listener: ChangeListener = () => {};

  const addTable = (name: string, seededCount: number): TypeTable => {
    const firstId = firstIdOf(name);
    const table: TypeTable = {
      name,
      index: tables.length,
      pascal: pascalCase(name),
      firstId,
      seededCount,
      seededBase: handles,
      nextId: firstId + seededCount,
      live: seededCount,
      extra: new Map(),
      extraHandles: [],
    };
    tables.push(table);
    byName.set(name, table);
    byPascal.set(table.pascal, table);
    return table;
  };

  for (const name of order) {
    const n = counts[name] ?? 0;
    const table = addTable(name, n);
    layout.set(name, { firstId: table.firstId, count: n });
    typeIdx.fill(table.index, handles, handles + n);
    for (let h = handles; h < handles + n; h++) revs[h] = revisions.next(0);
    alive.fill(1, handles, handles + n);
    for (let k = 0; k < n; k++) ids[handles + k] = table.firstId + k;
    handles += n;
  }

  const generator = createGenerator(seed, layout);
  const definitions = new Map(CUSTOM_FIELD_RESOURCES.map((resource) => [resource, seededDefinitions(resource)]));
  const activityRng = createRng(seed ^ hashString('world-create'));

  const handleOf = (table: TypeTable, id: number): number | undefined => {
    const k = id - table.firstId;
    if (k >= 0 && k < table.seededCount) return table.seededBase + k;
    return table.extra.get(id);
  };

  const tableOrCreate = (type: string): TypeTable => byName.get(type) ?? addTable(type, 0);

  const allocate = (table: TypeTable, id: number): number => {
    const h = handles++;
    typeIdx = grow(typeIdx, handles);
    ids = grow(ids, handles);
    revs = grow(revs, handles);
    alive = grow(alive, handles);
    typeIdx[h] = table.index;
    ids[h] = id;
    revs[h] = 0;
    alive[h] = 0;
    table.extra.set(id, h);
    table.extraHandles.push(h);
    return h;
  };

  // (deal_id, contact_id) key → handle of the live associated contact holding it; built lazily.
  let pairIndex: Map<string, number> | undefined;
  const pairKeyOf = (h: number): string | undefined => {
    const [dealId, contactId] = generator.associationPair(ids[h] as number, overrides.get(h));
    return pairKey(dealId, contactId);
  };
  const pairs = (): Map<string, number> => {
    if (pairIndex !== undefined) return pairIndex;
    const index = new Map<string, number>();
    const table = byName.get(ASSOCIATED_CONTACT);
    if (table) {
      const n = world.positions(table);
      for (let pos = 0; pos < n; pos++) {
        const h = world.handleAt(table, pos);
        if (h === undefined || alive[h] !== 1) continue;
        const key = pairKeyOf(h);
        if (key !== undefined) index.set(key, h);
      }
    }
    return (pairIndex = index);
  };

  const createObject = (type: string, options: CreateOptions, strict: boolean): number | undefined => {
    const table = tableOrCreate(type);
    let id = options.id;
    if (id === undefined) {
      while (handleOf(table, table.nextId) !== undefined) table.nextId++;
      id = table.nextId;
    }
    const existing = handleOf(table, id);
    if (existing !== undefined && alive[existing] === 1) throw new Error(`${type} ${id} already exists`);
    const rng = options.rng ?? activityRng;
    const now = isoTime(Date.now());
    const { id: _ignored, ...data } = options.data ?? {};
    const association = type === ASSOCIATED_CONTACT;
    const live = {
      pick: (t: string, accept?: (id: number) => boolean) => world.pickLive(t, rng, accept),
      pairTaken: (dealId: number, contactId: number) =>
        pairs().has(pairKey(dealId, contactId) as string) || options.avoidPair?.(dealId, contactId) === true,
    };
    const refs = generator.refsForNew(type, id, live, rng, data);
    const fields: Payload = { ...refs, created_at: now, updated_at: now, ...data };
    const key = association ? pairKey(fields.deal_id, fields.contact_id) : undefined;
    if (association) {
      if (key !== undefined && pairs().has(key)) {
        if (!strict) return undefined;
        throw new Error(`associated_contact with deal_id ${String(fields.deal_id)} and contact_id ${String(fields.contact_id)} already exists`);
      }
      if (key === undefined && !strict) return undefined;
    }
    if (options.id === undefined) table.nextId = id + 1;
    const h = existing ?? allocate(table, id);
    overrides.set(h, fields);
    revs[h] = revisions.next(revs[h] as number);
    alive[h] = 1;
    table.live++;
    if (key !== undefined) pairs().set(key, h);
    listener(h, 'create');
    return h;
  };

  const world: World = {
    seed,
    types: tables,
    generator,
    handleCount: () => handles,
    table: (type) => byName.get(type),
    tableByPascal: (pascal) => byPascal.get(pascal),
    typeOf: (h) => tables[typeIdx[h] as number] as TypeTable,
    idOf: (h) => ids[h] as number,
    revisionOf: (h) => revs[h] as number,
    isLive: (h) => h < handles && alive[h] === 1,
    handleOf,
    payload(h) {
      const table = tables[typeIdx[h] as number] as TypeTable;
      return generator.payload(table.name, ids[h] as number, overrides.get(h));
    },
    create: (type, options = {}) => createObject(type, options, true) as number,
    tryCreate: (type, options = {}) => createObject(type, options, false),
    update(h, data) {
      if (alive[h] !== 1) throw new Error('object is not live');
      const { id: _ignored, ...fields } = data;
      const movesPair =
        (tables[typeIdx[h] as number] as TypeTable).name === ASSOCIATED_CONTACT &&
        (Object.hasOwn(fields, 'deal_id') || Object.hasOwn(fields, 'contact_id'));
      const next = { ...overrides.get(h), updated_at: isoTime(Date.now()), ...fields };
      if (movesPair) {
        const before = pairKeyOf(h);
        const [dealId, contactId] = generator.associationPair(ids[h] as number, next);
        const after = pairKey(dealId, contactId);
        const owner = after === undefined ? undefined : pairs().get(after);
        if (owner !== undefined && owner !== h) {
          throw new Error(`associated_contact with deal_id ${String(dealId)} and contact_id ${String(contactId)} already exists`);
        }
        if (before !== undefined && pairs().get(before) === h) pairs().delete(before);
        if (after !== undefined) pairs().set(after, h);
      }
      overrides.set(h, next);
      const revision = revisions.next(revs[h] as number);
      revs[h] = revision;
      listener(h, 'update');
      return revision;
    },
    delete(h) {
      if (alive[h] !== 1) throw new Error('object is not live');
      if (pairIndex !== undefined && (tables[typeIdx[h] as number] as TypeTable).name === ASSOCIATED_CONTACT) {
        const key = pairKeyOf(h);
        if (key !== undefined && pairIndex.get(key) === h) pairIndex.delete(key);
      }
      alive[h] = 0;
      overrides.delete(h);
      (tables[typeIdx[h] as number] as TypeTable).live--;
      listener(h, 'delete');
    },
    handleAt(table, pos) {
      if (pos < table.seededCount) return table.seededBase + pos;
      return table.extraHandles[pos - table.seededCount];
    },
    positions: (table) => table.seededCount + table.extraHandles.length,
    pairOf: (h) => generator.associationPair(ids[h] as number, overrides.get(h)),
    pairOwner: (dealId, contactId) => pairs().get(pairKey(dealId, contactId) as string),
    pickLive(type, rng, accept) {
      const table = byName.get(type);
      if (!table || table.live === 0) return null;
      const span = table.nextId - table.firstId;
      for (let tries = 0; tries < 48 && span > 0; tries++) {
        const id = table.firstId + rng.int(span);
        const h = handleOf(table, id);
        if (h !== undefined && alive[h] === 1 && (accept === undefined || accept(id))) return id;
      }
      // A sparse type (most objects deleted): scan from a random position, wrapping around.
      const n = world.positions(table);
      const start = rng.int(n);
      for (let i = 0; i < n; i++) {
        const h = world.handleAt(table, (start + i) % n);
        if (h === undefined || alive[h] !== 1) continue;
        const id = ids[h] as number;
        if (accept === undefined || accept(id)) return id;
      }
      return null;
    },
    counts() {
      const out: Record<string, number> = {};
      for (const t of tables) out[t.name] = t.live;
      return out;
    },
    liveCount: () => tables.reduce((s, t) => s + t.live, 0),
    lastRevision: () => revisions.last(),
    customFieldDefinitions: (resource) => definitions.get(resource) ?? [],
    addCustomField(resource, field) {
      const list = definitions.get(resource)!;
      if (list.some((d) => d.name === field.name)) throw new Error(`a ${resource} custom field named ${JSON.stringify(field.name)} already exists`);
      const now = isoTime(Date.now());
      const definition: CustomFieldDefinition = {
        id: list.reduce((max, d) => Math.max(max, d.id), 0) + 1,
        name: field.name,
        type: field.type,
        resource_type: resource,
        ...(field.choices ? { choices: [...field.choices] } : {}),
        ...(resource === 'contact' ? { for_contact: field.for_contact ?? true, for_organisation: field.for_organisation ?? true } : {}),
        created_at: now,
        updated_at: now,
      };
      list.push(definition);
      return definition;
    },
    onChange(l) {
      listener = l;
    },
  };
  return world;
}
