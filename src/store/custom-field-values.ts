// Custom field values read as typed values: the twins in JavaScript of the SQL functions
// bsg_cf_number, bsg_cf_time, bsg_cf_kind (migration 20261201101500_custom_fields), so that what
// a subscription matches in memory is what a query selects in SQL. Pure; a test feeds both the
// same odd values.
import { Prisma } from '../db/client.ts';

/** What a value looks like; `mixed` is a field whose values look like more than one. */
export type ValueKind = 'number' | 'date' | 'datetime' | 'string' | 'bool' | 'multi_select_list' | 'address';

const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
// Each field's range is checked by the pattern (a day past the 28th against its month, below).
const TIME = /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:T([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]{1,6}))?)?(Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?)?$/;

/** A number: a JSON number, or a string of digits with an optional minus and fraction (as Base sends numbers). */
export function numberOf(value: unknown): Prisma.Decimal | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Prisma.Decimal(value) : null;
  if (typeof value === 'string' && value.length <= 1000 && NUMBER.test(value)) return new Prisma.Decimal(value);
  return null;
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * A point in time, in microseconds since 1970: `YYYY-MM-DD` (midnight UTC) or
 * `YYYY-MM-DDThh:mm[:ss[.ffffff]][Z|±hh:mm]` (UTC without an offset).
 */
export function timeOf(value: unknown): bigint | null {
  if (typeof value !== 'string') return null;
  const m = TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  if (year < 1 || day > daysInMonth(year, month)) return null;
  const zone = m[8];
  const offsetMinutes = zone === undefined || zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const fraction = BigInt((m[7] ?? '').padEnd(6, '0'));
  return BigInt(d.getTime()) * 1000n + fraction - BigInt(offsetMinutes) * 60_000_000n;
}

/** What a value looks like (null for null or absent). */
export function kindOf(value: unknown): ValueKind | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'multi_select_list';
  if (typeof value === 'object') return 'address';
  if (typeof value !== 'string') return null;
  if (numberOf(value) !== null) return 'number';
  if (timeOf(value) === null) return 'string';
  return value.length === 10 ? 'date' : 'datetime';
}

/** The value of `name` in a `custom_fields` object (undefined when absent, null, or not an object). */
export function customValue(customFields: unknown, name: string): unknown {
  if (customFields === null || typeof customFields !== 'object' || Array.isArray(customFields)) return undefined;
  // Own properties only: a field named `constructor` or `__proto__` is a field like any other.
  if (!Object.hasOwn(customFields, name)) return undefined;
  const value = (customFields as Record<string, unknown>)[name];
  return value === null ? undefined : value;
}

/** The time of `timeOf` as a Date (to the millisecond). */
export const dateOfTime = (micros: bigint): Date => new Date(Number(micros / 1000n));
