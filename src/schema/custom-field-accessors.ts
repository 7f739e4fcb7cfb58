// Reading a custom field by name on a lead, contact or deal: the value as it is (`customField`),
// or typed (`customString`, `customNumber`, …), null when the object has no such field or its
// value is of another type. Read from the `custom_fields` column; `customFields` is the whole object.
import type { FieldMap } from '@pothos/core';
import { customValue, dateOfTime, kindOf, numberOf, timeOf } from '../store/custom-field-values.ts';
import type { RuntimeFieldBuilder } from './runtime-field-builder.ts';

type Row = { customFields: unknown };

/** What each accessor answers for a custom field's value (present and not null). */
export const CUSTOM_FIELD_READERS = {
  customField: (v: unknown) => v,
  customString: (v: unknown) => (typeof v === 'string' ? v : null),
  customNumber: (v: unknown) => (typeof v === 'string' ? (numberOf(v) === null ? null : v) : numberOf(v)?.toFixed() ?? null),
  customDate: (v: unknown) => (kindOf(v) === 'date' ? (v as string) : null),
  customDateTime: (v: unknown) => {
    const micros = timeOf(v);
    return micros === null ? null : dateOfTime(micros);
  },
  customBoolean: (v: unknown) => (typeof v === 'boolean' ? v : null),
  customList: (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null),
} as const;

/** The accessor's answer for an object's `custom_fields` (null when it has no such field). */
export function readCustomField(reader: keyof typeof CUSTOM_FIELD_READERS, customFields: unknown, name: string): unknown {
  const value = customValue(customFields, name);
  return value === undefined ? null : CUSTOM_FIELD_READERS[reader](value);
}

/** The typed accessors of a node with custom fields (lead, contact or deal). */
export function customFieldAccessors(t: RuntimeFieldBuilder): FieldMap {
  const accessor = (type: 'JSON' | 'String' | 'Decimal' | 'Date' | 'DateTime' | 'Boolean' | ['String'], description: string, reader: keyof typeof CUSTOM_FIELD_READERS) =>
    t.field({
      type,
      nullable: true,
      description,
      args: { name: t.arg.string({ required: true, description: 'The field as Base names it, exactly.' }) },
      select: { customFields: true },
      resolve: (row: Row, args: { name: string }) => readCustomField(reader, row.customFields, args.name),
    });
  return {
    customField: accessor('JSON', 'A custom field\'s value as Base sent it (a string, number, boolean, list or object); null when absent.', 'customField'),
    customString: accessor('String', 'A custom field\'s value when it is text (Base sends numbers and dates as text too).', 'customString'),
    customNumber: accessor('Decimal', 'A custom field\'s value when it is a number (a numeric string such as "50000" or a JSON number), exactly as sent.', 'customNumber'),
    customDate: accessor('Date', 'A custom field\'s value when it is a date (YYYY-MM-DD).', 'customDate'),
    customDateTime: accessor('DateTime', 'A custom field\'s value when it is a date-time (or a date, as midnight UTC).', 'customDateTime'),
    customBoolean: accessor('Boolean', 'A custom field\'s value when it is a boolean.', 'customBoolean'),
    customList: accessor(['String'], 'A custom field\'s value when it is a multi-select list (its choices).', 'customList'),
  };
}
