// Page sizes of every connection (and what the query limits count for a page not sized).
import { GraphQLError } from 'graphql';

/** Largest page a connection serves; larger requests get an error rather than a silent cut. */
export const MAX_PAGE_SIZE = 100;
/** The page a connection serves when neither first nor last is given. */
export const DEFAULT_PAGE_SIZE = 20;

/** Page sizes for every connection: `first`/`last` default 20, at most 100. */
export const pageSize = {
  defaultSize: DEFAULT_PAGE_SIZE,
  maxSize: (args: { first?: number | null; last?: number | null }) => {
    const asked = args.first ?? args.last;
    if (asked != null && asked > MAX_PAGE_SIZE) {
      throw new GraphQLError(`first/last can be at most ${MAX_PAGE_SIZE} (got ${asked}); page with after/before for more`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return MAX_PAGE_SIZE;
  },
};
