// Reading a custom field by name on a lead, contact or deal: the value as it is (`customField`),
// or typed (`customString`, `customNumber`, …), null when the object has no such field or its
// value is of another type. Read from the `custom_fields` column; `customFields` is the whole object.
import type { FieldMap } from '@pothos/core';
import { customValue, dateOfTime, kindOf, numberOf, timeOf } from '../store/custom-field-values.ts';
import type { RuntimeFieldBuilder } from './runtime-field-builder.ts';

type Row = { customFields: unknown };

/** The typed accessors of a node with custom fields (lead, contact or deal). */
export function customFieldAccessors(t: RuntimeFieldBuilder): FieldMap {
  const accessor = <T>(type: 'JSON' | 'String' | 'Decimal' | 'Date' | 'DateTime' | 'Boolean' | ['String'], description: string, read: (value: unknown) => T | null) =>
    t.field({
      type,
      nullable: true,
      description,
      args: { name: t.arg.string({ required: true, description: 'The field as Base names it, exactly.' }) },
      select: { customFields: true },
      resolve: (row: Row, args: { name: string }) => {
        const value = customValue(row.customFields, args.name);
        return value === undefined ? null : read(value);
      },
    });
  return {
    customField: accessor('JSON', 'A custom field\'s value as Base sent it (a string, number, boolean, list or object); null when absent.', (v) => v),
    customString: accessor('String', 'A custom field\'s value when it is text (Base sends numbers and dates as text too).', (v) => (typeof v === 'string' ? v : null)),
    customNumber: accessor('Decimal', 'A custom field\'s value when it is a number (a numeric string such as "50000" or a JSON number), exactly as sent.', (v) =>
      typeof v === 'string' ? (numberOf(v) === null ? null : v) : numberOf(v)?.toFixed() ?? null,
    ),
    customDate: accessor('Date', 'A custom field\'s value when it is a date (YYYY-MM-DD).', (v) => (kindOf(v) === 'date' ? (v as string) : null)),
    customDateTime: accessor('DateTime', 'A custom field\'s value when it is a date-time (or a date, as midnight UTC).', (v) => {
      const micros = timeOf(v);
      return micros === null ? null : dateOfTime(micros);
    }),
    customBoolean: accessor('Boolean', 'A custom field\'s value when it is a boolean.', (v) => (typeof v === 'boolean' ? v : null)),
    customList: accessor(['String'], 'A custom field\'s value when it is a multi-select list (its choices).', (v) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null,
    ),
  };
}
