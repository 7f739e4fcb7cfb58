// `npm run bench -- <name>` runs test/bench/<name>.ts; with no name, lists the benchmarks.
// A benchmark's helper files are named <name>-<part>.ts and are not benchmarks themselves; nor is
// harness.ts, what they all share.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'harness.ts' && !f.includes('-'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}>`);
  process.exit(name ? 2 : 0);
}
await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);
