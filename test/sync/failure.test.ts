// What a failure is called (pure): only a refused token is fatal; every database and network
// failure is a transient one with a short code and one short line that never holds a secret;
// the wait before a retry doubles, is capped, and is jittered.
import { describe, expect, it } from 'vitest';
import { FencedError } from '../../src/store/apply-page.ts';
import { FatalSyncError, SessionExpiredError, TransientSyncError } from '../../src/sync/client.ts';
import { backoffDelay, describeFailure } from '../../src/sync/failure.ts';

/** A Prisma error as @prisma/adapter-pg reports a Postgres one. */
const prismaError = (cause: Record<string, unknown>) =>
  Object.assign(new Error('\nInvalid `prisma.$queryRawUnsafe()` invocation:\n\n\nRaw query failed.'), { name: 'PrismaClientKnownRequestError', code: 'P2010', meta: { driverAdapterError: { cause } } });

describe('describeFailure', () => {
  it.each([
    [new FatalSyncError('Base refused the access token (401 unauthorized)', 401), 'token_refused', true],
    [new FatalSyncError('the access token lacks permission (403)', 403), 'token_refused', true],
    [new TransientSyncError('fetching a page was rejected: 400 bad', 'rejected'), 'upstream_rejected', false],
    [new TransientSyncError('fetching a page failed 8 times; last: 500', 'server_error'), 'upstream_error', false],
    [new TransientSyncError('failed 8 times; last: ECONNREFUSED', 'network'), 'upstream_unreachable', false],
    [new TransientSyncError('failed 8 times; last: 429', 'rate_limited'), 'rate_limited', false],
    [new SessionExpiredError('the sync session expired'), 'session_expired', false],
    [new FencedError('00000000-0000-4000-8000-000000000000'), 'not_leader', false],
    [prismaError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }), 'database_unreachable', false],
    [prismaError({ kind: 'postgres', code: '57P01', originalCode: '57P01', originalMessage: 'terminating connection due to administrator command' }), 'database_unreachable', false],
    [prismaError({ kind: 'postgres', code: '22P05', originalCode: '22P05', originalMessage: 'unsupported Unicode escape sequence' }), 'database_error', false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'database_unreachable', false],
    [new Error('Connection terminated unexpectedly'), 'database_unreachable', false],
    [new TypeError('x is not a function'), 'internal', false],
  ])('%s → %s', (error, code, fatal) => {
    expect(describeFailure(error)).toMatchObject({ code, fatal });
  });

  it('says what Postgres said in one short line, not Prisma\'s invocation text', () => {
    const { message } = describeFailure(prismaError({ kind: 'postgres', code: '22P05', originalCode: '22P05', originalMessage: 'unsupported Unicode escape sequence' }));
    expect(message).toBe('database error 22P05: unsupported Unicode escape sequence');
  });

  it('keeps secrets out and messages short', () => {
    const token = 'f'.repeat(64);
    const { message } = describeFailure(new TransientSyncError(`failed: upstream echoed ${token} ${'x'.repeat(500)}`, 'server_error'), [token]);
    expect(message).not.toContain(token);
    expect(message).toContain('[redacted]');
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message).not.toContain('\n');
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 10_000 };

  it('doubles from the base up to the cap', () => {
    const ceiling = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([1, 2, 3, 4, 5, 6, 20, 1000].map(ceiling)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('jitters within the upper half, so processes failing together spread out', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(1000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(1500);
  });
});
