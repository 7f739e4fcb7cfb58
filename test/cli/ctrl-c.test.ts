// Ctrl-C in a terminal signals the whole foreground process group, and `npm start` forwards the
// signal once more: the gateway still shuts down cleanly, its embedded Postgres last.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../bin/base-sync-gateway.js', import.meta.url));
let dataDir = '';
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child?.exitCode === null) {
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
});

it('shuts down cleanly when the whole process group gets SIGINT, twice', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'bsg-ctrl-c-'));
  // A process group of its own, as a shell gives a foreground job.
  child = spawn(process.execPath, [cli, 'start'], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', SIMULATOR_PORT: '0', SIMULATOR_OBJECTS: '200', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const lines: Array<{ level?: number; msg?: string }> = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      lines.push(entry);
      if (entry.msg?.startsWith('sync session finished')) resolve();
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${lines.map((l) => l.msg).join('\n')}`)));
  });

  // The terminal's SIGINT to the group, then npm's forwarded one.
  process.kill(-child.pid!, 'SIGINT');
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'Postgres shut down').toBe(false);
  expect(lines.filter((l) => (l.level ?? 0) >= 50 || l.msg === 'second signal: exiting now').map((l) => l.msg)).toEqual([]);
});
