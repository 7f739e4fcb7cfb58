// Bearer-token check shared by the Sync API and the control API.
import { timingSafeEqual } from 'node:crypto';

/** The default access token: 64 characters, like a real Base token (the Python client checks the length). */
export const DEMO_TOKEN = 'ba5ecafecafecafe0123456789abcdef0123456789abcdef0123456789abcdef';

/** Whether an `Authorization` header carries exactly `Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
