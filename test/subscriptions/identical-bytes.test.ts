// Subscribers of the same selection share its execution and get the same bytes: each event's
// `next` message is built once (differing only by the operation id) and is what graphql-ws
// itself would send.
import { MessageType, stringifyMessage } from 'graphql-ws';
import { expect, it } from 'vitest';
import { useGateway } from '../fixtures/gateway.ts';
import { openRawSocket, type RawSocket } from '../fixtures/raw-websocket.ts';

const g = useGateway({ settled: 'deal' });
const QUERY = 'subscription { dealChanged { cursor kind node { baseId name value } } }';

/** A subscriber over a raw socket, keeping the text of every `next` message it receives. */
async function subscriber(id: string): Promise<{ socket: RawSocket; texts: string[] }> {
  const socket = await openRawSocket(g.wsUrl);
  const texts: string[] = [];
  socket.socket.on('message', (data) => {
    const text = String(data);
    if (JSON.parse(text).type === MessageType.Next) texts.push(text);
  });
  await socket.init();
  socket.send({ id, type: MessageType.Subscribe, payload: { query: QUERY } });
  return { socket, texts };
}

const cursorOf = (text: string): string => JSON.parse(text).payload.data.dealChanged.cursor;

it('sends every subscriber of a selection the same bytes, what graphql-ws would send', async () => {
  const listening = g.listening();
  const first = await subscriber('1');
  await listening;
  const others = [await subscriber('1'), await subscriber('op-2')];
  const all = [first, ...others];
  const [deal] = [...g.sim.objects('deal')];
  // graphql-ws does not acknowledge a subscribe: change the deal until the late joiners get events too.
  for (let n = 0; !others.every((s) => s.texts.length > 0); n++) {
    const seen = first.texts.length;
    g.sim.changes([{ op: 'update', type: 'deal', id: deal!.id, data: { name: `probe ${n}` } }]);
    await first.socket.message((m) => m.type === MessageType.Next && first.socket.messages.filter((x) => x.type === MessageType.Next).length > seen);
  }

  g.sim.changes([{ op: 'update', type: 'deal', id: deal!.id, data: { name: 'Zoë "the" ✓ deal', value: '42.50' } }]);
  const texts = await Promise.all(
    all.map(async ({ socket, texts }) => {
      const message = await socket.message((m) => m.type === MessageType.Next && m.payload.data.dealChanged.node.name === 'Zoë "the" ✓ deal');
      return texts.find((text) => cursorOf(text) === message.payload.data.dealChanged.cursor)!;
    }),
  );
  const parsed = JSON.parse(texts[0]!);
  expect(parsed.payload).toEqual({ data: { dealChanged: { cursor: expect.any(String), kind: 'UPDATED', node: { baseId: deal!.id, name: 'Zoë "the" ✓ deal', value: '42.50' } } } });
  expect(texts[0]).toBe(stringifyMessage({ id: '1', type: MessageType.Next, payload: parsed.payload }));
  expect(texts[1]).toBe(texts[0]);
  expect(texts[2]).toBe(stringifyMessage({ id: 'op-2', type: MessageType.Next, payload: parsed.payload }));
  for (const { socket } of all) socket.socket.close();
});
