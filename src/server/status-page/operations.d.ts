// Types of operations.js (a plain ES module served to the browser as is), for the TypeScript tests.
export const INITIAL_QUERY: string;
export const HISTORY_QUERY: string;
export const COUNTS_QUERY: string;
export const STATUS_SUBSCRIPTION: string;
export const FEED_QUERY: string;
