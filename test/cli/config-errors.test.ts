// A bad setting stops the process with one line naming the variable and what is wrong.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const cli = fileURLToPath(new URL('../../bin/base-sync-gateway.js', import.meta.url));

function run(env: Record<string, string>) {
  return spawnSync(process.execPath, [cli, 'start'], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('configuration errors', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ BASE_API_URL: 'not-a-url' }, 'BASE_API_URL'],
    [{ DATABASE_URL: 'mysql://x@localhost/db' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ BASE_DEVICE_UUID: 'my-laptop' }, 'BASE_DEVICE_UUID'],
    [{ MAX_QUERY_COST: 'lots' }, 'MAX_QUERY_COST'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
  ])('%o exits non-zero naming %s', (env, variable) => {
    const result = run(env);
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`invalid configuration: ${variable}: \\w`));
  });

  it('never echoes the access token when it is rejected', () => {
    const token = 'secret-token-that-is-too-short';
    const result = run({ BASE_ACCESS_TOKEN: token });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('BASE_ACCESS_TOKEN: must be 64 characters');
    expect(result.stderr + result.stdout).not.toContain(token);
  });
});

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      databaseUrl: undefined,
      logLevel: 'info',
      base: { apiUrl: 'https://api.getbase.com', accessToken: undefined, deviceUuid: undefined },
    });
  });

  it('reports the first bad variable as a ConfigError', () => {
    expect(() => loadConfig({ PORT: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/^PORT: must be between 0 and 65535$/);
  });

  it('applies the documented defaults of access and limits', () => {
    expect(loadConfig({})).toMatchObject({
      access: { corsOrigins: [], allowedHosts: [], metricsToken: undefined },
      limits: {
        query: { maxCost: 25_000, maxDepth: 12, maxAliases: 15 },
        maxRequestBodyBytes: 1024 * 1024,
        websocket: { maxPayloadBytes: 64 * 1024, initTimeoutMs: 3000, maxSubscriptionsPerConnection: 100, maxConnectionsPerKey: 1000 },
      },
    });
  });

  it('reads sizes and durations of the limits', () => {
    const { limits } = loadConfig({ MAX_REQUEST_BODY: '2MiB', WS_MAX_PAYLOAD: '16kb', WS_INIT_TIMEOUT: '10s', MAX_QUERY_COST: '1000' });
    expect(limits).toMatchObject({ maxRequestBodyBytes: 2 * 1024 * 1024, websocket: { maxPayloadBytes: 16 * 1024, initTimeoutMs: 10_000 }, query: { maxCost: 1000 } });
    expect(loadConfig({ WS_MAX_PAYLOAD: '65536' }).limits.websocket.maxPayloadBytes).toBe(65536);
  });

  it.each([
    ['MAX_QUERY_COST', '0', /must be at least 1/],
    ['MAX_QUERY_DEPTH', '1.5', /whole number/],
    ['MAX_QUERY_ALIASES', '-1', /must be at least 0/],
    ['MAX_REQUEST_BODY', '1 parsec', /size such as 64KiB/],
    ['MAX_REQUEST_BODY', '12', /at least 1KiB/],
    ['WS_MAX_PAYLOAD', 'big', /size such as 64KiB/],
    ['WS_INIT_TIMEOUT', 'soon', /duration/],
    ['WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', '0', /at least 1/],
    ['WS_MAX_CONNECTIONS_PER_KEY', 'many', /whole number/],
    ['ALLOWED_HOSTS', 'https://crm.example.com', /without scheme or port/],
    ['ALLOWED_HOSTS', 'crm.example.com:443', /without scheme or port/],
    ['CORS_ORIGINS', 'crm.example.com', /origins such as/],
  ])('refuses %s=%s, naming it', (variable, value, reason) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: .*${reason.source}`));
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });
});

describe('the stall and failover times', () => {
  it('default to 120 s and 15 s', () => {
    expect(loadConfig({}).sync).toEqual({ intervalMs: 1000, stallMs: 120_000, failoverMs: 15_000 });
    expect(loadConfig({ SYNC_STALL_SECONDS: '2.5', SYNC_FAILOVER_SECONDS: '3' }).sync).toMatchObject({ stallMs: 2500, failoverMs: 3000 });
  });

  it.each([
    [{ SYNC_STALL_SECONDS: 'soon' }, /^SYNC_STALL_SECONDS: must be a number of seconds$/],
    [{ SYNC_STALL_SECONDS: '0' }, /^SYNC_STALL_SECONDS: must be at least 1 s$/],
    [{ SYNC_STALL_SECONDS: '2', SYNC_INTERVAL_MS: '1000' }, /^SYNC_STALL_SECONDS: must be more than twice SYNC_INTERVAL_MS \(1000 ms\)/],
    [{ SYNC_FAILOVER_SECONDS: '1' }, /^SYNC_FAILOVER_SECONDS: must be at least 3 s$/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
