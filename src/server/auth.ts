// API-key authentication of the GraphQL API (GATEWAY_API_KEYS): `Authorization: Bearer <key>`.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

// Compared as digests: equal lengths for timingSafeEqual, and no early exit on a prefix.
const digest = (value: string) => createHash('sha256').update(value).digest();

/** A checker of bearer tokens against the configured keys; accepts everything when there are none. */
export function createApiKeyCheck(keys: readonly string[]): (authorization: string | null | undefined) => boolean {
  const digests = keys.map(digest);
  return (authorization) => {
    if (digests.length === 0) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return false;
    const given = digest(match[1]!);
    // Every key is compared, so the time taken does not tell which key came close.
    return digests.reduce((ok, key) => timingSafeEqual(key, given) || ok, false);
  };
}

/** The GraphQL error body of a refused request. */
const UNAUTHORIZED_BODY = JSON.stringify({
  errors: [{ message: 'Missing or invalid API key: send Authorization: Bearer <key>', extensions: { code: 'UNAUTHENTICATED' } }],
});

/** Yoga plugin: every GraphQL request needs a valid key; the GraphiQL page itself is served without one. */
export function useApiKeys(keys: readonly string[]): Plugin {
  const check = createApiKeyCheck(keys);
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (keys.length === 0) return;
      const wantsGraphiQL = request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
      if (wantsGraphiQL || check(request.headers.get('authorization'))) return;
      endResponse(
        new fetchAPI.Response(UNAUTHORIZED_BODY, {
          status: 401,
          headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
        }),
      );
    },
  };
}
