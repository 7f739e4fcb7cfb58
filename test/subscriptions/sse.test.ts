// Subscriptions also work over Server-Sent Events (yoga's SSE), for clients without WebSockets.
import { expect, it } from 'vitest';
import { eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'contact' });

it('streams a change as an SSE event', async () => {
  const controller = new AbortController();
  const listening = g.listening();
  const res = await fetch(`${g.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { contactChanged { kind node { name } } }' }),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  await listening;
  g.sim.changes([{ op: 'create', type: 'contact', data: { name: 'Streamed Ltd', is_organization: true } }]);
  let text = '';
  await eventually(async () => {
    const { value } = await reader.read();
    text += new TextDecoder().decode(value);
    return text.includes('Streamed Ltd');
  });
  const data = text.split('\n').find((line) => line.startsWith('data:') && line.includes('Streamed Ltd'))!;
  expect(JSON.parse(data.slice(5))).toEqual({ data: { contactChanged: { kind: 'CREATED', node: { name: 'Streamed Ltd' } } } });
  controller.abort();
});
