// customFieldDefinitions(type): the custom fields the mirror knows of a type, with their types
// and how many objects carry each, as the syncer's discovery keeps them in `custom_fields`.
import { CUSTOM_FIELD_TYPES, type CustomFieldOwner } from '../store/custom-fields.ts';
import { builder } from './builder.ts';

const CustomFieldResourceType = builder.enumType('CustomFieldResourceType', {
  description: 'A Base type with custom fields.',
  values: Object.fromEntries(CUSTOM_FIELD_TYPES.map((type) => [type.toUpperCase(), { value: type }])) as Record<string, { value: CustomFieldOwner }>,
});

const TYPES = ['string', 'text', 'number', 'bool', 'date', 'datetime', 'list', 'multi_select_list', 'address', 'email', 'phone', 'url', 'mixed', 'other'] as const;
type FieldType = (typeof TYPES)[number];

const CustomFieldType = builder.enumType('CustomFieldType', {
  description: "A custom field's type: Base's own, MIXED when it is inferred from values that look like several, OTHER for a type Base added since.",
  values: Object.fromEntries(TYPES.map((type) => [type.toUpperCase(), { value: type }])) as Record<string, { value: FieldType }>,
});

const CustomFieldSource = builder.enumType('CustomFieldSource', {
  description: 'Where a custom field was learned from.',
  values: {
    DEFINITIONS: { value: 'definitions', description: "Base's custom field definitions (the token may read them)." },
    VALUES: { value: 'values', description: 'The synced values alone (the token may not read the definitions, or they do not name the field): its type is inferred.' },
  } as const,
});

const typeOf = (type: string): FieldType => ((TYPES as readonly string[]).includes(type) ? (type as FieldType) : 'other');

interface Row {
  name: string;
  type: string;
  source: string;
  objects: number;
  valueTypes: string[];
  baseId: bigint | null;
  definition: unknown;
}

const definitionField = (row: Row, field: string): unknown =>
  row.definition !== null && typeof row.definition === 'object' ? (row.definition as Record<string, unknown>)[field] : undefined;

const CustomFieldDefinition = builder.objectRef<Row>('CustomFieldDefinition').implement({
  description: 'A custom field of leads, contacts or deals.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its name, as Base spells it: what customField(name:) and the filters take.' }),
    type: t.field({ type: CustomFieldType, description: "Base's type, or the one its values show when Base's definitions could not be read.", resolve: (r) => typeOf(r.type) }),
    source: t.field({ type: CustomFieldSource, resolve: (r) => r.source as 'definitions' | 'values' }),
    count: t.exposeInt('objects', { description: 'How many live objects of the type carry a value for it.' }),
    valueTypes: t.field({
      type: [CustomFieldType],
      description: 'What its values look like (NUMBER, DATE, DATETIME, STRING, BOOL, MULTI_SELECT_LIST, ADDRESS); several when they disagree.',
      resolve: (r) => r.valueTypes.map(typeOf),
    }),
    baseId: t.field({ type: 'BigInt', nullable: true, description: "The definition's id in Base, when known.", resolve: (r) => r.baseId }),
    choices: t.stringList({
      nullable: true,
      description: "A list's or multi-select list's choices, when Base's definition gives them.",
      resolve: (r) => {
        const choices = definitionField(r, 'choices');
        return Array.isArray(choices) ? choices.filter((c): c is string => typeof c === 'string') : null;
      },
    }),
    forContact: t.boolean({ nullable: true, description: 'Contacts: whether the field applies to people (from the definition).', resolve: (r) => boolOf(definitionField(r, 'for_contact')) }),
    forOrganization: t.boolean({ nullable: true, description: 'Contacts: whether the field applies to organizations (from the definition).', resolve: (r) => boolOf(definitionField(r, 'for_organisation')) }),
  }),
});

const boolOf = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

builder.queryField('customFieldDefinitions', (t) =>
  t.field({
    type: [CustomFieldDefinition],
    description:
      "The custom fields of a type, by name: from Base's definitions when the token may read them, otherwise inferred from the synced values; refreshed after each sync session that changed objects of the type.",
    args: { type: t.arg({ type: CustomFieldResourceType, required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.prisma.customField.findMany({
        where: { resourceType: args.type },
        orderBy: { name: 'asc' },
        select: { name: true, type: true, source: true, objects: true, valueTypes: true, baseId: true, definition: true },
      }),
  }),
);
