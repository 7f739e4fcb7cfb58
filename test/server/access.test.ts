// The Host and Origin rules on their own: which names are loopback, which Host headers and
// Origins a gateway answers, with and without keys.
import { describe, expect, it } from 'vitest';
import { createAccess, isLoopback, normalizeOrigin } from '../../src/server/access.ts';

describe('isLoopback', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])('%s is', (host) => expect(isLoopback(host)).toBe(true));
  it.each(['0.0.0.0', '::', 'localhost.evil.example', 'evil.localhost', '127.0.0.1.nip.io', '128.0.0.1', '10.0.0.1', 'localhost.'])('%s is not', (host) =>
    expect(isLoopback(host)).toBe(false),
  );
});

describe('normalizeOrigin', () => {
  it('writes an origin as browsers send it', () => {
    expect(normalizeOrigin('HTTPS://App.Example.com/')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://app.example.com:80')).toBe('http://app.example.com');
    expect(normalizeOrigin('http://[::1]:8080')).toBe('http://[::1]:8080');
  });
  it.each(['app.example.com', 'https://app.example.com/path', 'https://app.example.com?x=1', 'https://user@app.example.com', 'file:///tmp', 'null'])('refuses %s', (value) =>
    expect(normalizeOrigin(value)).toBeUndefined(),
  );
});

describe('refusal', () => {
  const open = createAccess({ apiKeys: [], host: '127.0.0.1', allowedHosts: ['gateway.lan', '[fd00::1]'] });
  const keyed = createAccess({ apiKeys: ['k'.repeat(16)], host: '0.0.0.0' });

  it('answers loopback Hosts, HOST and ALLOWED_HOSTS with any port, and refuses the rest with 421', () => {
    for (const host of ['127.0.0.1:4000', 'localhost', '[::1]:4000', 'gateway.lan:80', 'GATEWAY.LAN', '[fd00::1]:4000']) expect(open.refusal({ host }), host).toBeUndefined();
    for (const host of ['evil.example', 'gateway.lan.evil.example', '0.0.0.0:4000', 'localhost.:4000', '', undefined]) {
      expect(open.refusal({ host }), String(host)).toMatchObject({ status: 421, code: 'HOST_NOT_ALLOWED' });
    }
  });

  it('with keys and no ALLOWED_HOSTS, answers any Host; a wildcard HOST is no name', () => {
    expect(keyed.refusal({ host: 'gateway.example.com' })).toBeUndefined();
    const listed = createAccess({ apiKeys: ['k'.repeat(16)], host: '0.0.0.0', allowedHosts: ['gateway.example.com'] });
    expect(listed.refusal({ host: '0.0.0.0:4000' })).toMatchObject({ status: 421 });
  });

  it('answers its own origin and listed ones, refuses other origins and cross-site requests without one', () => {
    const listing = createAccess({ apiKeys: [], host: '127.0.0.1', corsOrigins: ['https://app.example.com'] });
    expect(listing.refusal({ host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' })).toBeUndefined();
    expect(listing.refusal({ host: '127.0.0.1:4000', origin: 'https://app.example.com' })).toBeUndefined();
    for (const origin of ['http://127.0.0.1:4001', 'https://app.example.com:444', 'null', 'garbage']) {
      expect(listing.refusal({ host: '127.0.0.1:4000', origin }), origin).toMatchObject({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });
    }
    expect(listing.refusal({ host: '127.0.0.1:4000', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).toMatchObject({ status: 403 });
    expect(listing.refusal({ host: '127.0.0.1:4000', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' })).toMatchObject({ status: 403 });
    expect(listing.refusal({ host: '127.0.0.1:4000', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBeUndefined();
    expect(listing.refusal({ host: '127.0.0.1:4000', 'sec-fetch-site': 'none' })).toBeUndefined();
  });

  it('grants CORS to listed origins only, never with credentials, and needs none for its own', () => {
    const listing = createAccess({ apiKeys: [], host: '127.0.0.1', corsOrigins: ['https://app.example.com'] });
    const request = (origin: string) => new Request('http://127.0.0.1:4000/graphql', { headers: { origin, host: '127.0.0.1:4000' } });
    expect(listing.cors(request('https://app.example.com'))).toEqual({ origin: 'https://app.example.com', credentials: false, maxAge: 600 });
    expect(listing.cors(request('https://evil.example'))).toBe(false);
    expect(listing.cors(request('http://127.0.0.1:4000'))).toBe(false);
  });
});

describe('metricsAllowed', () => {
  it('is open without keys or token, and needs one of them otherwise', () => {
    expect(createAccess({ apiKeys: [], host: '127.0.0.1' }).metricsAllowed(undefined)).toBe(true);
    const token = createAccess({ apiKeys: ['key-0123456789abcdef'], host: '127.0.0.1', metricsToken: 'token-0123456789abcdef' });
    expect(token.metricsAllowed(undefined)).toBe(false);
    expect(token.metricsAllowed('Bearer key-0123456789abcdef')).toBe(true);
    expect(token.metricsAllowed('Bearer token-0123456789abcdef')).toBe(true);
    expect(token.metricsAllowed('Bearer token-0123456789abcde')).toBe(false);
  });
});
