// `base-sync-gateway start` with nothing configured: embedded Postgres, migrations, demo
// sync, /healthz; SIGTERM stops it cleanly, Postgres included.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../bin/base-sync-gateway.js', import.meta.url));
let dataDir = '';
let child: ChildProcess | undefined;
afterAll(async () => {
  // A failed assertion must not leave the gateway (and its Postgres) running.
  if (child?.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
});

it('serves /healthz on embedded Postgres and shuts down on SIGTERM', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'bsg-start-'));
  child = spawn(process.execPath, [cli, 'start'], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', SIMULATOR_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.startsWith('gateway ready')) resolve(entry.url);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${lines.join('\n')}`)));
  });

  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // Postgres removes its pid file when it has shut down.
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  expect(lines.some((line) => line.includes('"level":50') || line.includes('"level":60'))).toBe(false);
});
