// Two server processes on one database: a subscriber on the one that does not sync gets every event.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { expect, it, onTestFinished } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'deal' });

it('fans events out through Postgres to a process that does not sync', async () => {
  const other = runCli(['serve', '--no-sync'], { DATABASE_URL: g.db.url, PORT: '0' });
  const ready = (await other.waitFor((l) => String(l.msg).startsWith('gateway ready'))) as { url: string };
  const client = createClient({ url: `${ready.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  onTestFinished(() => client.dispose());

  const sub = collect(client, `subscription { changes(types: [DEAL, LEAD]) { kind type baseId } }`);
  // Live once the other process's feed has a listener (its metrics say so).
  await eventually(async () => /^bsg_change_feed_listeners 1$/m.test(await (await fetch(`${ready.url}/metrics`)).text()));
  const made = g.sim.changes([
    { op: 'create', type: 'deal', data: { name: 'Seen elsewhere' } },
    { op: 'create', type: 'lead', data: { first_name: 'Also seen' } },
  ]);
  await sub.waitFor(2);
  g.sim.changes([{ op: 'delete', type: 'deal', id: made[0]!.id }]);
  const got = await sub.waitFor(3);
  expect(got.map((r) => [r.changes.kind, r.changes.type, r.changes.baseId])).toEqual(
    expect.arrayContaining([
      ['CREATED', 'DEAL', made[0]!.id],
      ['CREATED', 'LEAD', made[1]!.id],
      ['DELETED', 'DEAL', made[0]!.id],
    ]),
  );
  expect(other.lines.some((l) => l.msg === 'this process is the syncer')).toBe(false);
});
