// Every command has --help with an example.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../bin/base-sync-gateway.js', import.meta.url));
const help = (...args: string[]) => spawnSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8' });

it('lists the commands', () => {
  const { stdout, status } = help();
  expect(status).toBe(0);
  for (const command of ['start', 'serve', 'sync', 'simulate', 'status', 'migrate']) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
});

it.each(['start', 'serve', 'sync', 'simulate', 'status', 'migrate'])('%s --help shows an example', (command) => {
  const { stdout, status } = help(command);
  expect(status).toBe(0);
  expect(stdout).toContain(`Usage: base-sync-gateway ${command}`);
  expect(stdout).toMatch(/Examples?:\n\s+\$ .*base-sync-gateway/);
});
