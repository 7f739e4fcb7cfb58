import { readFileSync } from 'node:fs';

/** This package's version, from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The User-Agent the gateway sends upstream. */
export const USER_AGENT = `base-sync-gateway/${VERSION}`;
