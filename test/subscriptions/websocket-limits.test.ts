// Hostile and broken WebSocket clients: oversized frames, garbage or slow connection_init, too
// many connections for a key, floods of subscriptions, operations over the query limits. Each
// gets a graphql-ws close code or an error message for its operation, never a stack trace, and
// the gateway serves the next client as usual.
import { CloseCode } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';
import { openRawSocket, type RawSocket } from '../fixtures/raw-websocket.ts';

const KEY = 'ws-limits-key-0123456789';
const OTHER_KEY = 'ws-limits-other-key-0123456789';
const MAX_SUBSCRIPTIONS = 5;
const MAX_CONNECTIONS = 3;
const g = useGateway({
  env: {
    GATEWAY_API_KEYS: `${KEY},${OTHER_KEY}`,
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(MAX_SUBSCRIPTIONS),
    WS_MAX_CONNECTIONS_PER_KEY: String(MAX_CONNECTIONS),
  },
});

const STATUS = 'subscription { syncStatus { state } }';
const subscribe = (id: string, query: string, variables?: Record<string, unknown>) => ({ id, type: 'subscribe', payload: { query, ...(variables ? { variables } : {}) } });
const raw = () => openRawSocket(g.wsUrl);
async function initialised(key = KEY): Promise<RawSocket> {
  const socket = await raw();
  await socket.init({ authorization: `Bearer ${key}` });
  return socket;
}

/** Nothing internal in what the client got. */
const expectNoInternals = (socket: RawSocket) => expect(JSON.stringify(socket.messages)).not.toMatch(/"stack"|\\n\s+at |node_modules|\.ts:\d+/);

/** The gateway still serves a well-behaved client. */
async function expectServing() {
  const sub = collect(g.client({ authorization: `Bearer ${KEY}` }), STATUS);
  const [first] = await sub.waitFor(1);
  expect(first.syncStatus.state).toEqual(expect.any(String));
  sub.stop();
}

describe('the connection', () => {
  it('closes on a frame over 64 KiB (1009), before the key in it is read', async () => {
    const socket = await raw();
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${KEY}`, padding: 'x'.repeat(65 * 1024) } });
    expect((await socket.closed).code).toBe(1009);
    expect(socket.messages).toEqual([]);
    await expectServing();
  });

  it('takes a frame just under the limit', async () => {
    const socket = await raw();
    await socket.init({ authorization: `Bearer ${KEY}`, padding: 'x'.repeat(60 * 1024) });
    socket.socket.close();
  });

  it.each<[string, unknown, number]>([
    ['a frame that is not JSON', 'not json at all', CloseCode.BadRequest],
    ['a message of no known type', { type: 'hello' }, CloseCode.BadRequest],
    ['a connection_init whose payload is a string', { type: 'connection_init', payload: 'garbage' }, CloseCode.BadRequest],
    ['a connection_init with a key that is not a string', { type: 'connection_init', payload: { authorization: 12345 } }, CloseCode.Forbidden],
    ['a connection_init without a key', { type: 'connection_init' }, CloseCode.Forbidden],
    ['a subscribe before connection_init', subscribe('1', STATUS), CloseCode.Unauthorized],
  ])('closes on %s', async (_what, message, code) => {
    const socket = await raw();
    socket.send(message);
    expect((await socket.closed).code).toBe(code);
    expect(socket.messages).toEqual([]);
    await expectServing();
  });

  it('closes a client that does not send connection_init in time (4408, after the default 3 s)', async () => {
    const socket = await raw();
    expect((await socket.closed).code).toBe(CloseCode.ConnectionInitialisationTimeout);
    await expectServing();
  });

  it('closes on a second connection_init (4429)', async () => {
    const socket = await initialised();
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${KEY}` } });
    expect((await socket.closed).code).toBe(CloseCode.TooManyInitialisationRequests);
  });

  it(`accepts ${MAX_CONNECTIONS} connections per key, closes the next with 4429, and takes one again once one has gone`, async () => {
    const sockets = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => initialised()));
    const extra = await raw();
    extra.send({ type: 'connection_init', payload: { authorization: `Bearer ${KEY}` } });
    const closed = await extra.closed;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/Too many connections/);
    // Another key has connections of its own.
    (await initialised(OTHER_KEY)).socket.close();
    sockets[0]!.socket.close();
    await sockets[0]!.closed;
    const again = await eventually(async () => {
      const socket = await raw();
      socket.send({ type: 'connection_init', payload: { authorization: KEY } });
      const outcome = await Promise.race([socket.message((m) => m.type === 'connection_ack').then(() => 'ack'), socket.closed.then(() => 'closed')]);
      return outcome === 'ack' ? socket : undefined;
    });
    for (const socket of [...sockets, again]) socket.socket.close();
    await Promise.all([...sockets, again].map((socket) => socket.closed));
  });
});

describe('operations', () => {
  it(`runs ${MAX_SUBSCRIPTIONS} subscriptions on a connection and refuses a flood of more, keeping the connection`, async () => {
    const socket = await initialised();
    const ids = Array.from({ length: 200 }, (_, i) => String(i + 1));
    for (const id of ids) socket.send(subscribe(id, STATUS));
    await eventually(() => socket.messages.filter((m) => m.type === 'error').length === ids.length - MAX_SUBSCRIPTIONS);
    const refused = socket.messages.filter((m) => m.type === 'error');
    for (const message of refused) {
      expect(message.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
      expect(message.payload[0].message).toMatch(/at most 5 at once \(WS_MAX_SUBSCRIPTIONS_PER_CONNECTION\)/);
    }
    const running = ids.filter((id) => !refused.some((m) => m.id === id));
    expect(running).toHaveLength(MAX_SUBSCRIPTIONS);
    for (const id of running) await socket.message((m) => m.type === 'next' && m.id === id);
    // One completed makes room for another.
    socket.send({ id: running[0], type: 'complete' });
    socket.send(subscribe('again', STATUS));
    expect((await socket.message((m) => m.id === 'again')).type).toBe('next');
    expectNoInternals(socket);
    socket.socket.close();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a subscription over MAX_QUERY_COST through its variables',
      subscribe('1', 'subscription ($n: Int) { dealChanged { node { notes(first: $n) { edges { node { content creator { deals(first: $n) { edges { node { name } } } } } } } } } }', { n: 100 }),
      /Query cost 30,503 is over the limit of 25,000 \(MAX_QUERY_COST\)/,
    ],
    ['a subscription too deep', subscribe('1', `subscription { dealChanged { node { owner { ${'manager { '.repeat(12)}name${' }'.repeat(12)} } } } }`), /MAX_QUERY_DEPTH/],
    ['1,000 aliases', subscribe('1', `subscription { ${Array.from({ length: 1000 }, (_, i) => `a${i}: syncStatus { state }`).join(' ')} }`), /Token limit of 2000/],
    ['1,000-deep nesting', subscribe('1', `subscription { syncStatus { ${'a { '.repeat(1000)}b${' }'.repeat(1000)} } }`), /Token limit of 2000/],
    ['a syntax error', subscribe('1', 'subscription { syncStatus { '), /Syntax Error/],
    ['an unknown field', subscribe('1', 'subscription { nope }'), /Cannot query field "nope"/],
    ['an unknown operation name', { id: '1', type: 'subscribe', payload: { query: STATUS, operationName: 'Nope' } }, /operation/i],
    ['variables nested 1,000 deep', subscribe('1', 'subscription ($w: DealWhere) { dealChanged(where: $w) { kind } }', { w: JSON.parse(`${'{"AND":['.repeat(1000)}{}${']}'.repeat(1000)}`) }), /nest deeper than 64/],
  ])('answers %s with an error for it, and keeps the connection', async (_what, message, error) => {
    const socket = await initialised();
    socket.send(message);
    const answer = await socket.message((m) => m.id === '1');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].message).toMatch(error);
    expectNoInternals(socket);
    // Still open and working.
    socket.send(subscribe('2', STATUS));
    expect((await socket.message((m) => m.id === '2')).type).toBe('next');
    socket.socket.close();
  });
});
