// Deterministic payloads of a believable CRM. A payload is a pure function of
// (seed, type, id, seeded layout) merged with the object's override record (fields set by
// updates and by the control API), so the world stores no payloads: 1,000,000 objects cost
// a few typed arrays, and the same seed always gives the same world.
//
// References are drawn from the seeded id range of the target type, so in a freshly seeded
// world every reference points at an existing object. Objects created later get their main
// references frozen into their override from live objects (see `refsForNew`).
//
// An associated contact is identified, in Base, by its (deal_id, contact_id) pair, so live
// associated contacts never share one. Seeded ones get theirs from an arithmetic layout that
// is collision-free by construction (see `seededPair`); the world keeps created ones unique.
import { hashInts, hashString, createRng, type Rng } from './random.ts';
import { changedCustomFields, customFieldValues, type CustomFieldResource } from './custom-fields.ts';
import { poolsFor, type Place, type Pools } from './pools.ts';
import type { GeneratedType } from './resource-types.ts';

export type Payload = Record<string, unknown>;
export type Override = Readonly<Record<string, unknown>>;

/** The seeded id range of one type: ids `firstId .. firstId + count - 1`. */
export interface SeededRange {
  firstId: number;
  count: number;
}

/** First id of each generated type. Some exceed 2^31, as real Base ids do. */
export const FIRST_IDS: Readonly<Record<GeneratedType, number>> = {
  user: 1,
  pipeline: 1,
  stage: 1,
  source: 1,
  lead_source: 1,
  deal_source: 1,
  loss_reason: 1,
  tag: 1,
  call_outcome: 1,
  lead: 1,
  contact: 1,
  deal: 3_000_000_001,
  associated_contact: 1,
  note: 3_500_000_001,
  task: 1,
  call: 2_500_000_001,
  product: 1,
  order: 1,
  line_item: 1,
  visit: 1,
};

/** First id of any type (unknown types start at 1). */
export function firstIdOf(type: string): number {
  return (FIRST_IDS as Record<string, number>)[type] ?? 1;
}

const CONTENT_WEIGHTS: ReadonlyArray<readonly [GeneratedType, number]> = [
  ['lead', 15],
  ['contact', 20],
  ['deal', 12],
  ['associated_contact', 6],
  ['note', 15],
  ['task', 11],
  ['call', 8],
  ['product', 1],
  ['order', 4],
  ['line_item', 7],
  ['visit', 1],
];

/** Per-type counts of a world of `total` objects: a few users, pipelines, sources…, the rest activity. */
export function planCounts(total: number): Record<string, number> {
  total = Math.max(0, Math.floor(total));
  const pipelines = Math.min(5, 1 + Math.round(total / 100_000));
  const structural: Array<[GeneratedType, number]> = [
    ['user', Math.min(500, Math.max(2, Math.round(total / 500)))],
    ['pipeline', pipelines],
    ['stage', pipelines * STAGES.length],
    ['source', 8],
    ['lead_source', 4],
    ['deal_source', 4],
    ['loss_reason', 6],
    ['tag', 12],
    ['call_outcome', 6],
  ];
  // Small worlds still get a user, a pipeline and its stages; large ones spend most on content.
  const cap = Math.max(Math.floor(total * 0.25), Math.min(total, 9));
  const counts: Record<string, number> = {};
  let used = 0;
  for (const [type, want] of structural) {
    const n = Math.max(0, Math.min(want, cap - used));
    counts[type] = n;
    used += n;
  }
  const rest = total - used;
  const weightSum = CONTENT_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const shares = CONTENT_WEIGHTS.map(([type, w]) => {
    const exact = (rest * w) / weightSum;
    return { type, n: Math.floor(exact), frac: exact - Math.floor(exact) };
  });
  let left = rest - shares.reduce((s, x) => s + x.n, 0);
  for (const share of [...shares].sort((a, b) => b.frac - a.frac)) {
    if (left <= 0) break;
    share.n++;
    left--;
  }
  for (const { type, n } of shares) counts[type] = n;
  return counts;
}

// Stages of every pipeline, by position: the id of a stage tells its pipeline and category.
const STAGES: ReadonlyArray<readonly [name: string, category: string, likelihood: number]> = [
  ['Incoming', 'incoming', 10],
  ['Qualified', 'in_progress', 25],
  ['Quote', 'in_progress', 50],
  ['Closure', 'in_progress', 75],
  ['Won', 'won', 100],
  ['Lost', 'lost', 0],
  ['Unqualified', 'unqualified', 0],
];
const PIPELINE_NAMES = ['Sales Pipeline', 'Enterprise', 'Partnerships', 'Renewals', 'Inbound'];
const SOURCE_NAMES = ['Our website', 'Cold call', 'Referral', 'Trade show', 'LinkedIn', 'Google Ads', 'Partner', 'Webinar'];
const LOSS_REASONS = ['Too expensive', 'Went with competitor', 'No budget', 'Bad timing', 'No response', 'Not a fit'];
const TAG_NAMES = ['vip', 'hot', 'cold', 'enterprise', 'smb', 'partner', 'follow-up', 'newsletter', 'trade-show', 'referral', 'renewal', 'churn-risk'];
const CALL_OUTCOMES = ['Interested', 'Not interested', 'Left voicemail', 'No answer', 'Wrong number', 'Call back later'];
const INDUSTRIES = ['Software', 'Retail', 'Manufacturing', 'Healthcare', 'Finance', 'Education', 'Logistics', 'Media', 'Real Estate', 'Energy'];
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'GBP', 'PLN', 'CAD', 'AUD', 'JPY', 'BRL'];
const TEAMS = ['Sales', 'Account Management', 'Business Development', 'Customer Success'];
const GROUPS = [{ id: 1, name: 'North America' }, { id: 2, name: 'EMEA' }, { id: 3, name: 'APAC' }];
const ROLES = [{ id: 1, name: 'Sales Rep' }, { id: 2, name: 'Sales Manager' }, { id: 3, name: 'Admin' }];
const LEAD_STATUSES = ['New', 'Working', 'Unqualified'];
const CUSTOMER_STATUSES = ['none', 'current', 'past'];
const PROSPECT_STATUSES = ['none', 'current', 'lost'];
const ASSOCIATED_ROLES = ['involved', 'decision maker', 'influencer'];

const EPOCH_START = Date.UTC(2014, 0, 1);
const EPOCH_END = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
/** One organization among this many contacts: `(id - firstId) % ORG_EVERY === 0`. */
const ORG_EVERY = 5;

/** `2015-05-07T11:44:01Z`: ISO-8601 UTC without milliseconds, as Base sends. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function choose(ov: Override | undefined, field: string, drawn: unknown): unknown {
  return ov !== undefined && Object.hasOwn(ov, field) ? ov[field] : drawn;
}

/** Picks live ids for the references of a new object; the world implements it. */
export interface LivePicker {
  /** A random live id of `type` (optionally one that passes `accept`), or null if none is found. */
  pick(type: string, accept?: (id: number) => boolean): number | null;
  /** Whether a new associated contact may not take this (deal_id, contact_id) pair (default: free). */
  pairTaken?(dealId: number, contactId: number): boolean;
}

export interface Generator {
  /** The full payload of an object (override fields merged over generated ones). */
  payload(type: string, id: number, ov: Override | undefined): Payload;
  /**
   * References of a newly created object, drawn from live objects, to freeze into its override.
   * `fixed` holds the fields the caller sets itself (they win over drawn ones). An associated
   * contact gets a (deal_id, contact_id) pair that `live.pairTaken` accepts, keeping a fixed
   * half; if none is found its contact_id (or, when contact_id is fixed, its deal_id) is null.
   */
  refsForNew(type: string, id: number, live: LivePicker, rng: Rng, fixed?: Payload): Payload;
  /** deal_id and contact_id of an associated contact (override fields win over generated ones); O(1). */
  associationPair(id: number, ov: Override | undefined): readonly [dealId: unknown, contactId: unknown];
  /** A few fields changed by an activity update (the world bumps the revision and `updated_at`). */
  activityUpdate(type: string, id: number, current: Payload, rng: Rng): Payload;
}

type Builder = (g: Ctx, id: number, r: Rng, ov: Override | undefined) => Payload;

interface Ctx {
  seed: number;
  p: Pools;
  range: (type: string) => SeededRange;
  pick: (type: string, r: Rng) => number | null;
  isOrg: (contactId: number) => boolean;
  pickOrg: (r: Rng) => number | null;
  pickPerson: (r: Rng) => number | null;
  /** The generated (deal_id, contact_id) of an associated contact; see `createGenerator`. */
  seededPair: (id: number) => readonly [dealId: number | null, contactId: number | null];
  orgOf: (personId: number) => number | null;
  stageOf: (stageId: number) => { pipelineId: number | null; index: number };
  tagNames: (r: Rng, max: number) => string[];
  /** The custom fields of an object (`organization`: a contact's kind). */
  customFields: (resource: CustomFieldResource, r: Rng, organization?: boolean) => Payload;
  /** created_at/updated_at: content from 2015 on, `structural` types (users, pipelines…) in 2014. */
  times: (r: Rng, structural?: boolean) => { created: number; updated: number };
  resource: (r: Rng) => { type: string | null; id: number | null };
  place: (r: Rng) => Place;
  productInfo: (productId: number) => { name: string; sku: string; price: number; currency: string };
}

function money(n: number): string {
  return n.toFixed(2);
}

const builders: Record<GeneratedType, Builder> = {
  user(g, id, r) {
    const first = r.pick(g.p.firstNames);
    const last = r.pick(g.p.lastNames);
    const { created, updated } = g.times(r, true);
    const range = g.range('user');
    const reportsTo = id > range.firstId ? range.firstId + r.int(Math.max(1, Math.min(id - range.firstId, range.count))) : null;
    const admin = id === range.firstId || r.chance(0.1);
    return {
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}.${id}@${r.pick(g.p.domains)}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
      role: admin ? 'admin' : 'user',
      status: r.chance(0.9) ? 'active' : 'inactive',
      confirmed: r.chance(0.95),
      timezone: r.pick(g.p.timezones),
      phone_number: r.pick(g.p.phoneNumbers),
      team_name: r.pick(TEAMS),
      reports_to: reportsTo,
      group: r.pick(GROUPS),
      roles: [admin ? ROLES[2] : r.pick(ROLES.slice(0, 2))],
      deleted_at: null,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  pipeline(g, id, r) {
    const k = id - g.range('pipeline').firstId;
    const { created, updated } = g.times(r, true);
    return {
      id,
      name: PIPELINE_NAMES[k] ?? `Pipeline ${k + 1}`,
      disabled: false,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  stage(g, id, r, ov) {
    const { pipelineId, index } = g.stageOf(id);
    const [name, category, likelihood] = STAGES[index] as (typeof STAGES)[number];
    const { created, updated } = g.times(r, true);
    return {
      id,
      pipeline_id: choose(ov, 'pipeline_id', pipelineId),
      name,
      category,
      likelihood,
      position: index + 1,
      active: true,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  source: sourceBuilder('source', SOURCE_NAMES, ['lead', 'contact', 'deal']),
  lead_source: sourceBuilder('lead_source', SOURCE_NAMES, ['lead']),
  deal_source: sourceBuilder('deal_source', SOURCE_NAMES, ['deal']),
  loss_reason(g, id, r) {
    const k = id - g.range('loss_reason').firstId;
    const { created, updated } = g.times(r, true);
    return {
      id,
      creator_id: g.pick('user', r),
      name: LOSS_REASONS[k] ?? `${r.pick(g.p.words)} reason`,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  tag(g, id, r) {
    const { created, updated } = g.times(r, true);
    return {
      id,
      creator_id: g.pick('user', r),
      name: tagName(g, id),
      resource_type: r.pick(['lead', 'contact', 'deal']),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  call_outcome(g, id, r) {
    const k = id - g.range('call_outcome').firstId;
    const { created, updated } = g.times(r, true);
    return {
      id,
      name: CALL_OUTCOMES[k] ?? `${r.pick(g.p.words)} outcome`,
      creator_id: g.pick('user', r),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  lead(g, id, r) {
    const first = r.pick(g.p.firstNames);
    const last = r.pick(g.p.lastNames);
    const company = r.pick(g.p.companies);
    const domain = r.pick(g.p.domains);
    const handle = `${first}${last}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const { created, updated } = g.times(r);
    return {
      id,
      creator_id: g.pick('user', r),
      owner_id: g.pick('user', r),
      source_id: r.chance(0.8) ? g.pick('source', r) : null,
      unqualified_reason_id: null,
      first_name: first,
      last_name: last,
      organization_name: company,
      status: r.pick(LEAD_STATUSES),
      title: r.pick(g.p.jobTitles),
      description: r.chance(0.5) ? r.pick(g.p.sentences) : null,
      industry: r.pick(INDUSTRIES),
      website: `https://www.${domain}`,
      email: `${handle}@${domain}`,
      phone: r.pick(g.p.phoneNumbers),
      mobile: r.chance(0.6) ? r.pick(g.p.phoneNumbers) : null,
      fax: r.chance(0.1) ? r.pick(g.p.phoneNumbers) : null,
      twitter: r.chance(0.3) ? handle : null,
      facebook: r.chance(0.2) ? handle : null,
      linkedin: r.chance(0.5) ? `https://www.linkedin.com/in/${handle}` : null,
      skype: r.chance(0.1) ? handle : null,
      address: g.place(r),
      tags: g.tagNames(r, 3),
      custom_fields: g.customFields('lead', r),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  contact(g, id, r) {
    const org = g.isOrg(id);
    const first = r.pick(g.p.firstNames);
    const last = r.pick(g.p.lastNames);
    const company = r.pick(g.p.companies);
    const domain = r.pick(g.p.domains);
    const handle = (org ? company : `${first}${last}`).toLowerCase().replace(/[^a-z0-9]/g, '');
    const parentOrg = g.pickOrg(r);
    const { created, updated } = g.times(r);
    return {
      id,
      creator_id: g.pick('user', r),
      owner_id: g.pick('user', r),
      contact_id: org ? null : g.orgOf(id),
      parent_organization_id: org && r.chance(0.1) && parentOrg !== id ? parentOrg : null,
      is_organization: org,
      name: org ? company : `${first} ${last}`,
      first_name: org ? null : first,
      last_name: org ? null : last,
      customer_status: r.pick(CUSTOMER_STATUSES),
      prospect_status: r.pick(PROSPECT_STATUSES),
      title: org ? null : r.pick(g.p.jobTitles),
      description: r.chance(0.4) ? r.pick(org ? g.p.catchPhrases : g.p.sentences) : null,
      industry: r.pick(INDUSTRIES),
      website: org || r.chance(0.3) ? `https://www.${domain}` : null,
      email: org ? `info@${domain}` : `${handle}@${domain}`,
      phone: r.pick(g.p.phoneNumbers),
      mobile: org ? null : r.pick(g.p.phoneNumbers),
      fax: r.chance(0.1) ? r.pick(g.p.phoneNumbers) : null,
      twitter: r.chance(0.3) ? handle : null,
      facebook: r.chance(0.2) ? handle : null,
      linkedin: r.chance(0.5) ? `https://www.linkedin.com/${org ? 'company' : 'in'}/${handle}` : null,
      skype: r.chance(0.1) ? handle : null,
      address: g.place(r),
      billing_address: org ? g.place(r) : null,
      shipping_address: org ? g.place(r) : null,
      tags: g.tagNames(r, 3),
      custom_fields: g.customFields('contact', r, org),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  deal(g, id, r, ov) {
    const contactId = choose(ov, 'contact_id', r.chance(0.85) ? g.pickPerson(r) : g.pickOrg(r));
    const organizationId =
      typeof contactId === 'number' ? (g.isOrg(contactId) ? contactId : g.orgOf(contactId)) : null;
    const stageId = choose(ov, 'stage_id', g.pick('stage', r));
    const lost = typeof stageId === 'number' && STAGES[g.stageOf(stageId).index]?.[1] === 'lost';
    const lossReason = g.pick('loss_reason', r);
    const company = r.pick(g.p.companies);
    const product = r.pick(g.p.productNames);
    const amount = (r.int(50) + 1) * 500 + r.int(100) * 0.5;
    const { created, updated } = g.times(r);
    const stageChanged = created + Math.floor((updated - created) * r.next());
    return {
      id,
      creator_id: g.pick('user', r),
      owner_id: g.pick('user', r),
      stage_id: stageId,
      contact_id: contactId,
      organization_id: organizationId,
      source_id: r.chance(0.8) ? g.pick('source', r) : null,
      loss_reason_id: lost ? lossReason : null,
      unqualified_reason_id: null,
      last_stage_change_by_id: g.pick('user', r),
      name: `${company.split(/[ ,]/)[0]} - ${product}`,
      // A decimal: Base sends it sometimes as a number, sometimes as a string.
      value: r.chance(0.5) ? money(amount) : amount,
      currency: r.pick(CURRENCIES),
      hot: r.chance(0.2),
      last_stage_change_at: isoTime(stageChanged),
      last_activity_at: r.chance(0.7) ? isoTime(stageChanged + r.int(30) * DAY) : null,
      estimated_close_date: isoDate(created + (r.int(180) + 14) * DAY),
      customized_win_likelihood: r.chance(0.3) ? r.int(101) : null,
      dropbox_email: `dropbox+${id}@deals.example.com`,
      added_at: isoTime(created),
      tags: g.tagNames(r, 2),
      custom_fields: g.customFields('deal', r),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  associated_contact(g, id, r) {
    const { created, updated } = g.times(r);
    const [dealId, contactId] = g.seededPair(id);
    return {
      // Base identifies an associated contact by the pair; the simulator gives each one an id
      // too, so that its delete (`{"id": N}`) names it.
      id,
      deal_id: dealId,
      contact_id: contactId,
      role: r.pick(ASSOCIATED_ROLES),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  note(g, id, r) {
    const res = g.resource(r);
    const { created, updated } = g.times(r);
    return {
      id,
      creator_id: g.pick('user', r),
      resource_type: res.type,
      resource_id: res.id,
      content: r.chance(0.3) ? r.pick(g.p.paragraphs) : r.pick(g.p.sentences),
      is_important: r.chance(0.1),
      type: 'regular',
      tags: g.tagNames(r, 1),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  task(g, id, r) {
    const res = g.resource(r);
    const { created, updated } = g.times(r);
    const completed = r.chance(0.6);
    const due = created + (r.int(30) + 1) * DAY;
    return {
      id,
      creator_id: g.pick('user', r),
      owner_id: g.pick('user', r),
      resource_type: res.type,
      resource_id: res.id,
      content: r.pick(g.p.sentences),
      completed,
      completed_at: completed ? isoTime(Math.min(updated, due)) : null,
      due_date: isoTime(due),
      remind_at: r.chance(0.5) ? isoTime(due - 3_600_000) : null,
      overdue: !completed && due < EPOCH_END,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  call(g, id, r) {
    const res = g.resource(r);
    const { created, updated } = g.times(r);
    const missed = r.chance(0.2);
    const otherDeal = g.pick('deal', r);
    return {
      id,
      user_id: g.pick('user', r),
      outcome_id: missed ? null : g.pick('call_outcome', r),
      resource_type: res.type,
      resource_id: res.id,
      associated_deal_ids: res.type === 'deal' ? [res.id] : otherDeal !== null && r.chance(0.3) ? [otherDeal] : [],
      summary: missed ? null : r.pick(g.p.sentences),
      recording_url: missed || r.chance(0.5) ? null : `https://recordings.example.com/calls/${id}.mp3`,
      duration: missed ? 0 : r.int(1800) + 15,
      phone_number: r.pick(g.p.phoneNumbers),
      incoming: r.chance(0.4),
      missed,
      made_at: isoTime(created),
      external_id: r.chance(0.3) ? `ext-${hashInts(g.seed, id).toString(16)}` : null,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  product(g, id, r) {
    const info = g.productInfo(id);
    const { created, updated } = g.times(r);
    const cost = Math.round(info.price * (0.4 + r.next() * 0.3) * 100) / 100;
    return {
      id,
      name: info.name,
      description: r.pick(g.p.productDescriptions),
      sku: info.sku,
      active: r.chance(0.9),
      max_discount: r.int(30),
      max_markup: r.int(50),
      cost: money(cost),
      cost_currency: info.currency,
      prices: [
        { amount: money(info.price), currency: info.currency },
        ...(info.currency === 'EUR' ? [] : [{ amount: money(Math.round(info.price * 92) / 100), currency: 'EUR' }]),
      ],
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  order(g, id, r) {
    const { created, updated } = g.times(r);
    return {
      id,
      deal_id: g.pick('deal', r),
      discount: r.chance(0.6) ? 0 : r.int(25),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  line_item(g, id, r, ov) {
    const productId = choose(ov, 'product_id', g.pick('product', r));
    const info = typeof productId === 'number' ? g.productInfo(productId) : undefined;
    const quantity = r.int(10) + 1;
    const price = info?.price ?? (r.int(2000) + 1) * 0.99;
    const { created, updated } = g.times(r);
    return {
      id,
      order_id: g.pick('order', r),
      product_id: productId,
      value: money(price * quantity),
      variation: r.chance(0.8) ? '0' : money(-r.int(20)),
      currency: info?.currency ?? 'USD',
      quantity,
      price: money(price),
      name: info?.name ?? r.pick(g.p.productNames),
      sku: info?.sku ?? null,
      description: r.chance(0.3) ? r.pick(g.p.sentences) : null,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
  visit(g, id, r) {
    const res = g.resource(r);
    const { created, updated } = g.times(r);
    return {
      id,
      creator_id: g.pick('user', r),
      resource_type: res.type,
      resource_id: res.id,
      visited_at: isoTime(created),
      summary: r.pick(g.p.sentences),
      address: g.place(r),
      outcome_id: null,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  },
};

function sourceBuilder(type: string, names: readonly string[], resourceTypes: readonly string[]): Builder {
  return (g, id, r) => {
    const k = id - g.range(type).firstId;
    const { created, updated } = g.times(r, true);
    return {
      id,
      creator_id: g.pick('user', r),
      name: names[k] ?? `${r.pick(g.p.words)} ${r.pick(['campaign', 'channel', 'event'])}`,
      resource_type: r.pick(resourceTypes),
      created_at: isoTime(created),
      updated_at: isoTime(updated),
    };
  };
}

function tagName(g: Ctx, tagId: number): string {
  const k = tagId - g.range('tag').firstId;
  return TAG_NAMES[k] ?? `${g.p.words[hashInts(g.seed, tagId) % g.p.words.length]}-${k}`;
}

/** A payload for a type the generator has no model of (`text_message`, anything). */
const genericBuilder = (type: string): Builder => (g, id, r) => {
  const { created, updated } = g.times(r);
  return { id, name: `${type.replace(/_/g, ' ')} ${id}`, created_at: isoTime(created), updated_at: isoTime(updated) };
};

const EMPTY_RANGE: SeededRange = { firstId: 1, count: 0 };
/** Deals an associated contact created later may try before giving up on a free pair. */
const PAIR_TRIES = 8;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
/** The types a note, task, call or visit can be about (its `resource_type`). */
const ACTIVITY_SUBJECT_TYPES = ['lead', 'contact', 'deal'] as const;

/** Which references of a new object are drawn from live objects, per type. */
const NEW_REFS: Partial<Record<GeneratedType, ReadonlyArray<readonly [string, string]>>> = {
  stage: [['pipeline_id', 'pipeline']],
  lead: [['creator_id', 'user'], ['owner_id', 'user'], ['source_id', 'source']],
  contact: [['creator_id', 'user'], ['owner_id', 'user']],
  deal: [['creator_id', 'user'], ['owner_id', 'user'], ['stage_id', 'stage'], ['source_id', 'source']],
  note: [['creator_id', 'user']],
  task: [['creator_id', 'user'], ['owner_id', 'user']],
  call: [['user_id', 'user']],
  order: [['deal_id', 'deal']],
  line_item: [['order_id', 'order'], ['product_id', 'product']],
  visit: [['creator_id', 'user']],
};

export function createGenerator(seed: number, layout: ReadonlyMap<string, SeededRange>): Generator {
  const p = poolsFor(seed);
  const range = (type: string): SeededRange => layout.get(type) ?? EMPTY_RANGE;
  const contacts = range('contact');
  const orgCount = Math.ceil(contacts.count / ORG_EVERY);
  const stages = range('stage');
  const pipelines = range('pipeline');
  const typeSalt = new Map<string, number>();
  const salt = (type: string): number => {
    let s = typeSalt.get(type);
    if (s === undefined) typeSalt.set(type, (s = hashString(type)));
    return s;
  };
  const SALT_ORG = hashString('organization-of');
  const SALT_PRODUCT = hashString('product-info');
  const SALT_PAIR = hashString('associated-pair');

  // Seeded associated contacts, k = id - firstId: deal index = a fixed permutation of k % D,
  // round = floor(k / D), person = the ((hash(seed, deal index) + round) % P)-th person
  // (non-organization contact). Within a deal the rounds differ, so the persons differ while
  // round < P: no two seeded associated contacts share a pair. Beyond D * P associated contacts
  // (only with explicit `counts`) the overflow gets contact_id null. O(1) per payload.
  const deals = range('deal');
  const persons = contacts.count - orgCount;
  let dealStride = Math.max(1, Math.floor(deals.count * 0.618_033_988_7));
  while (deals.count > 0 && gcd(dealStride, deals.count) !== 1) dealStride++;
  const dealOffset = deals.count > 0 ? hashInts(seed, SALT_PAIR) % deals.count : 0;
  const personAt = (j: number): number =>
    contacts.firstId + Math.floor(j / (ORG_EVERY - 1)) * ORG_EVERY + 1 + (j % (ORG_EVERY - 1));
  const seededPair = (id: number): readonly [number | null, number | null] => {
    const k = Math.max(0, id - range('associated_contact').firstId);
    if (deals.count === 0) return [null, persons > 0 ? personAt(k % persons) : null];
    const dealIndex = ((k % deals.count) * dealStride + dealOffset) % deals.count;
    const round = Math.floor(k / deals.count);
    if (round >= persons) return [deals.firstId + dealIndex, null];
    return [deals.firstId + dealIndex, personAt((hashInts(seed, SALT_PAIR, dealIndex) + round) % persons)];
  };

  const pick = (type: string, r: Rng): number | null => {
    const { firstId, count } = range(type);
    return count > 0 ? firstId + r.int(count) : null;
  };
  const isOrg = (contactId: number): boolean => (contactId - contacts.firstId) % ORG_EVERY === 0;
  const pickOrg = (r: Rng): number | null => (orgCount > 0 ? contacts.firstId + ORG_EVERY * r.int(orgCount) : null);
  const pickPerson = (r: Rng): number | null => {
    if (contacts.count < 2) return null;
    const k = r.int(contacts.count);
    return contacts.firstId + (k % ORG_EVERY === 0 ? (k + 1 < contacts.count ? k + 1 : k - 1) : k);
  };
  const ctx: Ctx = {
    seed,
    p,
    range,
    pick,
    isOrg,
    pickOrg,
    pickPerson,
    seededPair,
    orgOf(personId) {
      const r = createRng(hashInts(seed, SALT_ORG, personId));
      return r.chance(0.85) ? pickOrg(r) : null;
    },
    stageOf(stageId) {
      const k = Math.max(0, stageId - stages.firstId);
      const pipelineIndex = Math.floor(k / STAGES.length);
      return {
        index: k % STAGES.length,
        pipelineId: pipelines.count > 0 ? pipelines.firstId + (pipelineIndex % pipelines.count) : null,
      };
    },
    tagNames(r, max) {
      const n = r.int(max + 1);
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const tagId = pick('tag', r);
        const name = tagId === null ? r.pick(p.words) : tagName(ctx, tagId);
        if (!out.includes(name)) out.push(name);
      }
      return out;
    },
    customFields(resource, r, organization) {
      return customFieldValues(resource, r, () => ctx.place(r), organization);
    },
    times(r, structural = false) {
      const from = structural ? EPOCH_START : EPOCH_START + 365 * DAY;
      const to = structural ? EPOCH_START + 365 * DAY : EPOCH_END;
      const created = from + r.int((to - from) / 1000) * 1000;
      const updated = created + r.int(Math.min(EPOCH_END - created, 400 * DAY) / 1000) * 1000;
      return { created, updated };
    },
    resource(r) {
      const available = ACTIVITY_SUBJECT_TYPES.filter((t) => range(t).count > 0);
      if (available.length === 0) return { type: null, id: null };
      const type = r.pick(available);
      return { type, id: pick(type, r) };
    },
    place(r) {
      return { ...r.pick(p.places) };
    },
    productInfo(productId) {
      const r = createRng(hashInts(seed, SALT_PRODUCT, productId));
      const name = r.pick(p.productNames);
      return {
        name,
        sku: `${name.replace(/[^A-Za-z]/g, '').slice(0, 3).toUpperCase()}-${String(productId).padStart(5, '0')}`,
        price: (r.int(2000) + 1) * 5 - 0.01,
        currency: r.pick(CURRENCIES),
      };
    },
  };

  /** A (deal_id, contact_id) for a new associated contact that `live.pairTaken` accepts. */
  const drawPair = (live: LivePicker, fixed: Payload | undefined): Payload => {
    const has = (field: string): boolean => fixed !== undefined && Object.hasOwn(fixed, field);
    const taken = (dealId: number, contactId: number): boolean => live.pairTaken?.(dealId, contactId) === true;
    const isPerson = (c: number): boolean => !isOrg(c);
    if (has('deal_id') && has('contact_id')) return { deal_id: fixed!.deal_id, contact_id: fixed!.contact_id };
    if (has('contact_id')) {
      const contactId = fixed!.contact_id;
      const dealId = live.pick('deal', typeof contactId === 'number' ? (d) => !taken(d, contactId) : undefined);
      return { deal_id: dealId, contact_id: contactId };
    }
    // pick() falls back to a full scan, so a null contact means this deal has no free person:
    // try another deal (unless the deal is fixed).
    for (let tries = 1; ; tries++) {
      const dealId = has('deal_id') ? fixed!.deal_id : live.pick('deal');
      const contactId = live.pick('contact', typeof dealId === 'number' ? (c) => isPerson(c) && !taken(dealId, c) : isPerson);
      if (contactId !== null || typeof dealId !== 'number' || has('deal_id') || tries >= PAIR_TRIES) {
        return { deal_id: dealId, contact_id: contactId };
      }
    }
  };

  return {
    payload(type, id, ov) {
      const build = (builders as Record<string, Builder>)[type] ?? genericBuilder(type);
      const data = build(ctx, id, createRng(hashInts(seed, salt(type), id)), ov);
      if (ov !== undefined) Object.assign(data, ov);
      data.id = id;
      return data;
    },
    associationPair(id, ov) {
      const [dealId, contactId] = seededPair(id);
      return [
        ov !== undefined && Object.hasOwn(ov, 'deal_id') ? ov.deal_id : dealId,
        ov !== undefined && Object.hasOwn(ov, 'contact_id') ? ov.contact_id : contactId,
      ];
    },
    refsForNew(type, id, live, rng, fixed) {
      if (type === 'associated_contact') return drawPair(live, fixed);
      const refs: Payload = {};
      for (const [field, target] of NEW_REFS[type as GeneratedType] ?? []) refs[field] = live.pick(target);
      if (type === 'contact' && !isOrg(id)) {
        refs.contact_id = rng.chance(0.85) ? live.pick('contact', isOrg) : null;
      }
      if (type === 'deal') refs.contact_id = live.pick('contact', (c) => !isOrg(c));
      if (type === 'note' || type === 'task' || type === 'call' || type === 'visit') {
        const resourceType = rng.pick(ACTIVITY_SUBJECT_TYPES);
        const resourceId = live.pick(resourceType);
        refs.resource_type = resourceId === null ? null : resourceType;
        refs.resource_id = resourceId;
        if (type === 'call') refs.associated_deal_ids = resourceType === 'deal' && resourceId !== null ? [resourceId] : [];
      }
      return refs;
    },
    activityUpdate(type, _id, current, rng) {
      // Fields a salesperson would plausibly touch, per type; otherwise just the timestamp moves.
      // Leads, contacts and deals also get a custom field changed now and then.
      const custom = (resource: CustomFieldResource, fields: Payload): Payload => {
        if (!rng.chance(0.3)) return fields;
        const organization = resource === 'contact' ? current.is_organization === true : undefined;
        return { ...fields, custom_fields: changedCustomFields(resource, current.custom_fields, rng, () => ctx.place(rng), organization) };
      };
      switch (type) {
        case 'lead':
          return custom('lead', rng.chance(0.5) ? { status: rng.pick(LEAD_STATUSES) } : { title: rng.pick(p.jobTitles) });
        case 'contact':
          return custom('contact', rng.chance(0.5) ? { customer_status: rng.pick(CUSTOMER_STATUSES) } : { phone: rng.pick(p.phoneNumbers) });
        case 'deal': {
          const stageId = pick('stage', rng);
          const lost = stageId !== null && STAGES[ctx.stageOf(stageId).index]?.[1] === 'lost';
          const amount = (rng.int(50) + 1) * 500;
          return custom('deal', {
            stage_id: stageId,
            loss_reason_id: lost ? pick('loss_reason', rng) : null,
            last_stage_change_at: isoTime(Date.now()),
            value: rng.chance(0.5) ? money(amount) : amount,
          });
        }
        case 'task':
          return current.completed === true
            ? { content: rng.pick(p.sentences) }
            : { completed: true, completed_at: isoTime(Date.now()), overdue: false };
        case 'note':
          return { content: rng.pick(p.sentences) };
        case 'call':
          return { summary: rng.pick(p.sentences) };
        case 'product':
          return { active: !current.active };
        case 'order':
          return { discount: rng.int(25) };
        case 'line_item': {
          const quantity = rng.int(10) + 1;
          const price = Number(current.price) || 1;
          return { quantity, value: money(price * quantity) };
        }
        default:
          return {};
      }
    },
  };
}
