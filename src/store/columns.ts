// The typed columns of each resource table, as the payload names its fields (a column is
// named after the field it holds). `id`, `raw`, `raw_text`, `revision`, `deleted_at` and `synced_at`
// are common to every table and handled by the writer. A test checks this list against
// the migrated database, so it cannot drift from prisma/schema.prisma.
import type { ResourceType } from '../resource-types.ts';

/** How a payload value is checked and which SQL type it is cast to. */
export type ColumnKind = 'bigint' | 'int' | 'numeric' | 'bool' | 'text' | 'timestamptz' | 'date' | 'jsonb' | 'text[]' | 'bigint[]';

/** A column, its kind, and the payload field it holds when that is not its own name. */
export type ColumnSpec = readonly [name: string, kind: ColumnKind, field?: string];

const TIMESTAMPS: ColumnSpec[] = [
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

const CONTACT_DETAILS: ColumnSpec[] = ['title', 'description', 'industry', 'website', 'email', 'phone', 'mobile', 'fax', 'twitter', 'facebook', 'linkedin', 'skype'].map(
  (name) => [name, 'text'] as const,
);

const SOURCE: ColumnSpec[] = [['creator_id', 'bigint'], ['name', 'text'], ['resource_type', 'text'], ...TIMESTAMPS];

/** Typed columns per type, besides the common ones (`id` is the key of every type). */
export const COLUMNS: Record<ResourceType, readonly ColumnSpec[]> = {
  user: [
    ['name', 'text'],
    ['email', 'text'],
    ['role', 'text'],
    ['status', 'text'],
    ['confirmed', 'bool'],
    ['timezone', 'text'],
    ['phone_number', 'text'],
    ['team_name', 'text'],
    ['reports_to', 'bigint'],
    ['group', 'jsonb'],
    ['roles', 'jsonb'],
    // Base's own `deleted_at` (a deactivated user): `deleted_at` is the mirror's tombstone.
    ['base_deleted_at', 'timestamptz', 'deleted_at'],
    ...TIMESTAMPS,
  ],
  lead: [
    ['creator_id', 'bigint'],
    ['owner_id', 'bigint'],
    ['source_id', 'bigint'],
    ['unqualified_reason_id', 'bigint'],
    ['first_name', 'text'],
    ['last_name', 'text'],
    ['organization_name', 'text'],
    ['status', 'text'],
    ...CONTACT_DETAILS,
    ['address', 'jsonb'],
    ['tags', 'text[]'],
    ['custom_fields', 'jsonb'],
    ...TIMESTAMPS,
  ],
  contact: [
    ['creator_id', 'bigint'],
    ['owner_id', 'bigint'],
    ['contact_id', 'bigint'],
    ['parent_organization_id', 'bigint'],
    ['is_organization', 'bool'],
    ['name', 'text'],
    ['first_name', 'text'],
    ['last_name', 'text'],
    ['customer_status', 'text'],
    ['prospect_status', 'text'],
    ...CONTACT_DETAILS,
    ['address', 'jsonb'],
    ['billing_address', 'jsonb'],
    ['shipping_address', 'jsonb'],
    ['tags', 'text[]'],
    ['custom_fields', 'jsonb'],
    ...TIMESTAMPS,
  ],
  deal: [
    ['creator_id', 'bigint'],
    ['owner_id', 'bigint'],
    ['stage_id', 'bigint'],
    ['contact_id', 'bigint'],
    ['organization_id', 'bigint'],
    ['source_id', 'bigint'],
    ['loss_reason_id', 'bigint'],
    ['unqualified_reason_id', 'bigint'],
    ['last_stage_change_by_id', 'bigint'],
    ['name', 'text'],
    ['value', 'numeric'],
    ['currency', 'text'],
    ['hot', 'bool'],
    ['last_stage_change_at', 'timestamptz'],
    ['last_activity_at', 'timestamptz'],
    ['estimated_close_date', 'date'],
    ['customized_win_likelihood', 'int'],
    ['dropbox_email', 'text'],
    ['added_at', 'timestamptz'],
    ['tags', 'text[]'],
    ['custom_fields', 'jsonb'],
    ...TIMESTAMPS,
  ],
  pipeline: [['name', 'text'], ['disabled', 'bool'], ...TIMESTAMPS],
  stage: [
    ['pipeline_id', 'bigint'],
    ['name', 'text'],
    ['category', 'text'],
    ['likelihood', 'int'],
    ['position', 'int'],
    ['active', 'bool'],
    ...TIMESTAMPS,
  ],
  source: SOURCE,
  lead_source: SOURCE,
  deal_source: SOURCE,
  loss_reason: [['creator_id', 'bigint'], ['name', 'text'], ...TIMESTAMPS],
  tag: [['creator_id', 'bigint'], ['name', 'text'], ['resource_type', 'text'], ...TIMESTAMPS],
  note: [
    ['creator_id', 'bigint'],
    ['resource_type', 'text'],
    ['resource_id', 'bigint'],
    ['content', 'text'],
    ['is_important', 'bool'],
    ['type', 'text'],
    ['tags', 'text[]'],
    ...TIMESTAMPS,
  ],
  task: [
    ['creator_id', 'bigint'],
    ['owner_id', 'bigint'],
    ['resource_type', 'text'],
    ['resource_id', 'bigint'],
    ['content', 'text'],
    ['completed', 'bool'],
    ['completed_at', 'timestamptz'],
    ['due_date', 'timestamptz'],
    ['remind_at', 'timestamptz'],
    ['overdue', 'bool'],
    ...TIMESTAMPS,
  ],
  // Keyed by its id, like every type; the pair names the deal and the contact it links.
  associated_contact: [['deal_id', 'bigint'], ['contact_id', 'bigint'], ['role', 'text'], ...TIMESTAMPS],
  product: [
    ['name', 'text'],
    ['description', 'text'],
    ['sku', 'text'],
    ['active', 'bool'],
    ['max_discount', 'numeric'],
    ['max_markup', 'numeric'],
    ['cost', 'numeric'],
    ['cost_currency', 'text'],
    ['prices', 'jsonb'],
    ...TIMESTAMPS,
  ],
  order: [['deal_id', 'bigint'], ['discount', 'numeric'], ...TIMESTAMPS],
  line_item: [
    ['order_id', 'bigint'],
    ['product_id', 'bigint'],
    ['value', 'numeric'],
    ['variation', 'numeric'],
    ['currency', 'text'],
    ['quantity', 'int'],
    ['price', 'numeric'],
    ['name', 'text'],
    ['sku', 'text'],
    ['description', 'text'],
    ...TIMESTAMPS,
  ],
  call: [
    ['user_id', 'bigint'],
    ['outcome_id', 'bigint'],
    ['resource_type', 'text'],
    ['resource_id', 'bigint'],
    ['associated_deal_ids', 'bigint[]'],
    ['summary', 'text'],
    ['recording_url', 'text'],
    ['duration', 'int'],
    ['phone_number', 'text'],
    ['incoming', 'bool'],
    ['missed', 'bool'],
    ['made_at', 'timestamptz'],
    ['external_id', 'text'],
    ...TIMESTAMPS,
  ],
};

