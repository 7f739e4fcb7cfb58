// schema.graphql is the committed description of the API: it must match the code.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../scripts/print-schema.ts';

it('is up to date (run `npm run schema` after changing the schema)', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8') === printedSchema(), 'schema.graphql is stale: run `npm run schema`').toBe(true);
});
