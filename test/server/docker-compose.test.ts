// docker-compose.yml runs Postgres and the gateway (Docker cannot run here: this checks the file).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'));

it('has Postgres with a healthcheck and the gateway waiting for it', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres']);
  const { postgres, gateway } = compose.services;
  expect(postgres.image).toMatch(/^postgres:\d+/);
  expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  expect(postgres.volumes).toHaveLength(1);
  expect(gateway.build).toBe('.');
  expect(gateway.depends_on.postgres.condition).toBe('service_healthy');
  expect(gateway.ports).toEqual(['4000:4000']);
  expect(gateway.healthcheck.test.join(' ')).toContain('/readyz');
});

it('gives the gateway the settings it needs, and no open API on the network', () => {
  const env = compose.services.gateway.environment;
  const { POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB } = compose.services.postgres.environment;
  expect(env.DATABASE_URL).toBe(`postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}`);
  expect(env.HOST).toBe('0.0.0.0');
  expect(env.PORT).toBe('4000');
  // A non-loopback HOST needs API keys: compose refuses to start without them.
  expect(env.GATEWAY_API_KEYS).toMatch(/^\$\{GATEWAY_API_KEYS:\?.+\}$/);
  for (const name of ['BASE_API_URL', 'BASE_ACCESS_TOKEN', 'BASE_DEVICE_UUID', 'LOG_LEVEL', 'ALLOWED_HOSTS', 'CORS_ORIGINS', 'METRICS_TOKEN']) expect(env).toHaveProperty(name);
});

it('builds a multi-stage image that runs as a non-root user', () => {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/npm ci/);
});
