// Custom fields of the simulated account: the definitions Base serves at
// `GET /v2/{lead|contact|deal}/custom_fields` (read scope), and values in payloads as Base
// sends them: numbers as strings, dates as `YYYY-MM-DD`, date-times in ISO 8601, multi-select
// lists as arrays of strings, addresses as objects; a field with no value is absent.
import type { Payload } from './generator.ts';
import type { Place } from './pools.ts';
import type { Rng } from './random.ts';

/** The resource types that carry custom fields. */
export const CUSTOM_FIELD_RESOURCES = ['lead', 'contact', 'deal'] as const;
export type CustomFieldResource = (typeof CUSTOM_FIELD_RESOURCES)[number];

/** Every type a Base custom field can have. */
export const CUSTOM_FIELD_TYPES = ['string', 'text', 'number', 'bool', 'date', 'datetime', 'list', 'multi_select_list', 'address', 'email', 'phone', 'url'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** A definition as the REST API answers it (the `data` of an item). */
export interface CustomFieldDefinition {
  id: number;
  name: string;
  type: CustomFieldType;
  resource_type: CustomFieldResource;
  /** Choices of a `list` or `multi_select_list`. */
  choices?: string[];
  /** Contacts only: whether the field applies to people and to organizations. */
  for_contact?: boolean;
  for_organisation?: boolean;
  created_at: string;
  updated_at: string;
}

interface FieldSpec {
  name: string;
  type: CustomFieldType;
  /** Share of objects that carry a value. */
  presence: number;
  choices?: string[];
  /** Contacts: the field applies to people only, or organizations only (default both). */
  only?: 'person' | 'organization';
}

const REGIONS = ['EMEA', 'North America', 'APAC', 'LATAM'];
const SOURCES = ['Our website', 'Cold call', 'Referral', 'Trade show', 'LinkedIn', 'Google Ads', 'Partner', 'Webinar'];
const INTERESTS = ['Analytics', 'Integrations', 'Mobile', 'Reporting', 'Automation', 'Support'];
const PRIORITIES = ['basse', 'moyenne', 'haute'];
const SEGMENTS = ['SMB', 'Mid-market', 'Enterprise'];
const TEXTS = [
  'Asked for a demo after the webinar.',
  'Budget approved for the next quarter; wants a reference call.',
  'Prefers e-mail; do not call before 10:00.',
  'Evaluating two competitors. Decision expected end of month.',
];

// The same core on every type, so filters look alike; a few fields particular to each.
const COMMON: FieldSpec[] = [
  { name: 'Region', type: 'list', presence: 0.85, choices: REGIONS },
  { name: 'Known via', type: 'list', presence: 0.6, choices: SOURCES },
  { name: 'Segment', type: 'string', presence: 0.5 },
  { name: 'Budget', type: 'number', presence: 0.7 },
  { name: 'Renewal', type: 'date', presence: 0.6 },
  { name: 'Last contacted', type: 'datetime', presence: 0.5 },
  { name: 'Newsletter', type: 'bool', presence: 0.6 },
  { name: 'Interests', type: 'multi_select_list', presence: 0.5, choices: INTERESTS },
  { name: 'Priorité', type: 'list', presence: 0.4, choices: PRIORITIES },
  { name: 'Background notes', type: 'text', presence: 0.3 },
];

const PARTICULAR: Record<CustomFieldResource, FieldSpec[]> = {
  lead: [
    { name: 'Alternate e-mail', type: 'email', presence: 0.3 },
    { name: 'Phone (after hours)', type: 'phone', presence: 0.3 },
    { name: 'Homepage', type: 'url', presence: 0.4 },
    { name: 'Billing address', type: 'address', presence: 0.3 },
  ],
  contact: [
    { name: 'Alternate e-mail', type: 'email', presence: 0.4, only: 'person' },
    { name: 'Phone (after hours)', type: 'phone', presence: 0.3, only: 'person' },
    { name: 'Homepage', type: 'url', presence: 0.5, only: 'organization' },
    { name: 'Billing address', type: 'address', presence: 0.5, only: 'organization' },
    { name: 'Größe', type: 'number', presence: 0.6, only: 'organization' },
  ],
  deal: [
    { name: 'Probability (%)', type: 'number', presence: 0.5 },
    { name: 'Contract URL', type: 'url', presence: 0.3 },
    { name: 'Billing address', type: 'address', presence: 0.2 },
  ],
};

const SPECS: Record<CustomFieldResource, FieldSpec[]> = {
  lead: [...COMMON, ...PARTICULAR.lead],
  contact: [...COMMON, ...PARTICULAR.contact],
  deal: [...COMMON, ...PARTICULAR.deal],
};

/** The fields an object of `resource` may carry (a contact: by whether it is an organization). */
function specsFor(resource: CustomFieldResource, organization: boolean | undefined): FieldSpec[] {
  return SPECS[resource].filter((spec) => organization === undefined || !spec.only || (spec.only === 'organization') === organization);
}

const DEFINED_AT = '2014-03-01T09:00:00Z';

/** The account's definitions of a type, as seeded (ids 1.. per type). */
export function seededDefinitions(resource: CustomFieldResource): CustomFieldDefinition[] {
  return SPECS[resource].map((spec, i) => ({
    id: i + 1,
    name: spec.name,
    type: spec.type,
    resource_type: resource,
    ...(spec.choices ? { choices: [...spec.choices] } : {}),
    ...(resource === 'contact' ? { for_contact: spec.only !== 'organization', for_organisation: spec.only !== 'person' } : {}),
    created_at: DEFINED_AT,
    updated_at: DEFINED_AT,
  }));
}

const DAY = 86_400_000;
const FROM = Date.UTC(2023, 0, 1);

/** A value of a field, in the form Base sends it. */
function valueOf(type: CustomFieldType, r: Rng, choices: readonly string[] | undefined, place: () => Place): unknown {
  switch (type) {
    case 'number':
      // Whole amounts mostly, some with cents; always a string, as Base sends numbers.
      return r.chance(0.8) ? String((r.int(100) + 1) * 1000) : ((r.int(100_000) + 1) / 100).toFixed(2);
    case 'date':
      return new Date(FROM + r.int(900) * DAY).toISOString().slice(0, 10);
    case 'datetime':
      return new Date(FROM + r.int(900 * 24 * 60) * 60_000).toISOString().slice(0, 19) + 'Z';
    case 'bool':
      return r.chance(0.5);
    case 'list':
      return r.pick(choices ?? ['one', 'two']);
    case 'multi_select_list': {
      const all = choices ?? ['one', 'two'];
      return all.filter(() => r.chance(0.35));
    }
    case 'address':
      return { ...place() };
    case 'email':
      return `contact.${r.int(10_000)}@example.com`;
    case 'phone':
      return `+1 555 ${String(r.int(10_000)).padStart(4, '0')}`;
    case 'url':
      return `https://www.example.com/${r.int(10_000)}`;
    case 'string':
      return r.pick(SEGMENTS);
    case 'text':
      return r.pick(TEXTS);
  }
}

/**
 * The custom fields of a seeded object: each field present with its own likelihood, some
 * objects with none. `organization` says which fields a contact gets (undefined: not a contact).
 */
export function customFieldValues(resource: CustomFieldResource, r: Rng, place: () => Place, organization?: boolean): Payload {
  if (r.chance(0.1)) return {};
  const values: Payload = {};
  for (const spec of specsFor(resource, organization)) {
    if (!r.chance(spec.presence)) continue;
    values[spec.name] = valueOf(spec.type, r, spec.choices, place);
  }
  return values;
}

/**
 * A change to an object's custom fields by live activity: one field gets a new value or loses
 * it. Answers the whole new object (Base sends every field of it).
 */
export function changedCustomFields(resource: CustomFieldResource, current: unknown, r: Rng, place: () => Place, organization?: boolean): Payload {
  const before = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Payload) : {};
  const spec = r.pick(specsFor(resource, organization));
  const next: Payload = { ...before };
  if (spec.name in before && r.chance(0.2)) delete next[spec.name];
  else next[spec.name] = valueOf(spec.type, r, spec.choices, place);
  return next;
}
