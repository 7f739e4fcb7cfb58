// A gateway as `npm start` runs it against a Base account (its sync and its GraphQL server), for
// the query benchmark's dashboard scenario (test/bench/query-dashboard.ts): in a process of its
// own, so that its memory and CPU are its own. Configured by its environment; it sends its URL
// once it serves, and closes when told to or when the parent goes away. Not a benchmark on its own.
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';

if (!process.send) {
  console.error('test/bench/query-gateway.ts is a gateway of the query benchmark: run `npm run bench -- query`');
  process.exit(2);
}

const app = await startApp({ config: loadConfig(process.env), logger: silentLogger() });
const close = () => void app.close().finally(() => process.exit(0));
process.on('message', (message: { exit?: boolean; memory?: boolean }) => {
  if (message.exit) close();
  // Where its memory goes, in MB.
  if (message.memory) process.send!({ memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1e6)])) });
});
process.on('disconnect', close);
process.send({ url: app.url });
