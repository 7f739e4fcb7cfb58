// syncStatus as a subscription: the current status, then each change of it.
import { expect, it } from 'vitest';
import { collect, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ sim: { world: { total: 2_000 } } });

it('reports the sync, and when it is done', async () => {
  const sub = collect(g.client(), `subscription { syncStatus { state deviceUuid itemsSynced lastSuccessAt } }`);
  const done = async () => {
    for (;;) {
      const last = sub.results.at(-1)?.syncStatus;
      if (last?.state === 'IDLE' && last.lastSuccessAt) return last;
      await sub.waitFor(sub.results.length + 1, 20_000);
    }
  };
  const last = await done();
  expect(last.deviceUuid).toMatch(/^[0-9a-f-]{36}$/);
  sub.stop();
});
