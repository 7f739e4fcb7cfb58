// Typed views of nested payload values (addresses, a user's group and roles, product
// prices), so clients select fields instead of parsing JSON.
import { builder } from './builder.ts';

interface AddressShape {
  line1?: string | null;
  city?: string | null;
  postal_code?: string | null;
  state?: string | null;
  country?: string | null;
}

export const Address = builder.objectRef<AddressShape>('Address').implement({
  description: 'A postal address, as Base sends it.',
  fields: (t) => ({
    line1: t.string({ nullable: true, resolve: (a) => a.line1 ?? null }),
    city: t.string({ nullable: true, resolve: (a) => a.city ?? null }),
    postalCode: t.string({ nullable: true, resolve: (a) => a.postal_code ?? null }),
    state: t.string({ nullable: true, resolve: (a) => a.state ?? null }),
    country: t.string({ nullable: true, resolve: (a) => a.country ?? null }),
  }),
});

export interface NamedShape {
  id?: number | string | null;
  name?: string | null;
}

export const UserGroup = builder.objectRef<NamedShape>('UserGroup').implement({
  fields: (t) => ({
    baseId: t.field({ type: 'BigInt', nullable: true, resolve: (g) => (g.id == null ? null : BigInt(g.id)) }),
    name: t.string({ nullable: true, resolve: (g) => g.name ?? null }),
  }),
});

export const UserRole = builder.objectRef<NamedShape>('UserRole').implement({
  fields: (t) => ({
    baseId: t.field({ type: 'BigInt', nullable: true, resolve: (r) => (r.id == null ? null : BigInt(r.id)) }),
    name: t.string({ nullable: true, resolve: (r) => r.name ?? null }),
  }),
});

export interface PriceShape {
  amount?: string | number | null;
  currency?: string | null;
}

export const Price = builder.objectRef<PriceShape>('Price').implement({
  description: 'A product price in one currency.',
  fields: (t) => ({
    amount: t.field({ type: 'Decimal', nullable: true, resolve: (p) => (p.amount == null ? null : String(p.amount)) }),
    currency: t.string({ nullable: true, resolve: (p) => p.currency ?? null }),
  }),
});

/** A JSON value as an object when it is one (payload fields can be anything). */
export function asObject<T>(value: unknown): T | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : null;
}

/** A JSON value as a list of objects when it is one. */
export function asObjects<T>(value: unknown): T[] | null {
  return Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === 'object') as T[]) : null;
}
