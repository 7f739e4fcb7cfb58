// The syncer's connections to Postgres blackholed (nothing passes either way, no close is seen:
// a partition, a dead host) while a standby waits: the server still holds the syncer's lock, so
// the standby, seeing its lease expired, ends that session and takes over within the failover
// time. When the network is back, what the old syncer had sent is refused by the fence: it
// commits nothing more, and every change is in the log and seen by a subscriber once.
import { it } from 'vitest';
import { useFailoverScenario } from '../fixtures/failover.ts';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy.ts';

let proxy: TcpProxy;
const scenario = useFailoverScenario({
  leaderUrl: async (url) => {
    proxy = await startTcpProxy(Number(new URL(url).port));
    return proxy.via(url);
  },
});

it('fails over when the syncer is cut off from the database', { timeout: 120_000 }, async () => {
  await scenario.run(
    async () => proxy.blackhole(),
    async () => proxy.restore(),
  );
});
