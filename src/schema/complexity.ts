// What a field costs, for the query limits (src/server/query-limits.ts computes a query's cost
// from these, with its variables and defaults, before anything runs). Every field costs 1; a
// field that returns a page (`first`/`last`, the default page size when neither is given) or
// the objects of a list of ids multiplies the cost of everything selected under it by how many
// it may return. A connection's `edges` add no factor of their own (the page size is counted on
// the connection); other lists count as 10.
import { getNullableType, isListType, type GraphQLField } from 'graphql';
import { pageSize } from './page-size.ts';

/** Assumed length of a list whose length no argument gives. */
const UNKNOWN_LIST_LENGTH = 10;

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : undefined);

/** The cost of one field and the factor it applies to its selection, given its arguments. */
export function fieldComplexity<Context>(args: Record<string, unknown>, _context: Context, field: GraphQLField<unknown, Context>): { field: number; multiplier: number } {
  const pages = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
  if (pages) {
    const asked = [count(args.first), count(args.last)].filter((n) => n !== undefined);
    return { field: 1, multiplier: asked.length ? Math.max(...asked) : pageSize.defaultSize };
  }
  if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
  if (field.name === 'edges' || !isListType(getNullableType(field.type))) return { field: 1, multiplier: 1 };
  return { field: 1, multiplier: UNKNOWN_LIST_LENGTH };
}
