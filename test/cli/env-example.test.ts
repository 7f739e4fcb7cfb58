// .env.example documents every setting the configuration reads.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('names every variable src/config.ts reads', () => {
  const config = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const read = [...config.matchAll(/^ {2}([A-Z][A-Z_]+): /gm)].map((m) => m[1]!);
  expect(read.length).toBeGreaterThan(10);
  for (const name of read) expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
});
