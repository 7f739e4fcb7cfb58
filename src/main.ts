#!/usr/bin/env node
// The command line: base-sync-gateway start | serve | sync | simulate | status | migrate.
import { Command, CommanderError, Option } from 'commander';
import { startApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { createLogger, type Logger } from './logger.ts';
// The simulator itself (its world generator weighs tens of MB) is loaded only by `simulate`.
import { DEMO_TOKEN } from './simulator/auth.ts';
import { REVISION_MODELS, type RevisionModel } from './simulator/revisions.ts';
import { formatStatus } from './status.ts';
import { bigintsAsStrings } from './store/exact-json.ts';
import { countFailedObjects, countRejectedItems, loadFailedObjects, loadSyncRecord } from './store/sync-state.ts';
import { createSyncEngine, syncEngineOptions } from './sync/engine.ts';
import { deriveStatus } from './sync/status.ts';
import { VERSION } from './version.ts';

/** sysexits' EX_CONFIG: the configuration is wrong, retrying will not help. */
const EXIT_CONFIG = 78;
/** Time allowed for a graceful shutdown before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** A signal repeated within this time of the first is the same one, delivered twice. */
const SIGNAL_REPEAT_MS = 1000;

function setup(): { config: Config; logger: Logger } {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`base-sync-gateway: invalid configuration: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  return { config, logger: createLogger({ level: config.logLevel }) };
}

/** Runs `stop` on the first SIGINT/SIGTERM, then exits with `exitCode`; a second signal or the timeout forces the exit. */
function onShutdownSignal(logger: Logger, stop: () => Promise<void>, exitCode = 0): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal, and forwarded by npm):
      // only a signal sent again later means "now".
      if (Date.now() - stoppingSince < SIGNAL_REPEAT_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

function fail(logger: Logger, error: unknown): void {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  // pino's pretty transport writes from a worker; give it a moment before exiting.
  setTimeout(() => process.exit(1), 200);
}

/** `start` and `serve`: the whole gateway, until a signal stops it. */
async function serve(opts: { sync: boolean }): Promise<void> {
  const { config, logger } = setup();
  try {
    const app = await startApp({ config, logger, sync: opts.sync });
    onShutdownSignal(logger, () => app.close());
  } catch (error) {
    fail(logger, error);
  }
}

const program = new Command()
  .name('base-sync-gateway')
  .description('Mirror a Base CRM (Zendesk Sell) account into Postgres and serve it over GraphQL.')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description(
    'start everything: database (embedded unless DATABASE_URL is set), migrations, the sync engine ' +
      '(from Base with BASE_ACCESS_TOKEN, else from a built-in simulator) and the HTTP server',
  )
  .addHelpText('after', '\nExamples:\n  $ base-sync-gateway start                        # demo mode, embedded Postgres\n  $ BASE_ACCESS_TOKEN=... base-sync-gateway start  # mirror your Base account')
  .action(() => serve({ sync: true }));

program
  .command('serve')
  .description(
    'serve GraphQL (queries, subscriptions, GraphiQL) from the database; with sync, this process also ' +
      'syncs when no other one does (one syncer per device, the others stand by)',
  )
  .option('--no-sync', 'only serve: never sync from Base (another process does)')
  .addHelpText(
    'after',
    '\nExamples:\n  $ DATABASE_URL=postgresql://localhost/base BASE_ACCESS_TOKEN=... base-sync-gateway serve\n' +
      '  $ DATABASE_URL=postgresql://localhost/base PORT=4001 base-sync-gateway serve --no-sync',
  )
  .action(serve);

program
  .command('status')
  .description('show the sync state kept in the database: state (stalled when no progress for SYNC_STALL_SECONDS), last session, items, progress, failed objects, last error')
  .option('--json', 'print JSON instead of text')
  .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgresql://localhost/base base-sync-gateway status')
  .action(async (opts: { json?: boolean }) => {
    const { config, logger } = setup();
    try {
      const database = await openDatabase({ config, logger: logger.child({}, { level: 'warn' }), migrate: false, attach: true });
      try {
        const [record, failedObjectsPending, rejectedItems, failed] = await Promise.all([
          loadSyncRecord(database.prisma),
          countFailedObjects(database.prisma),
          countRejectedItems(database.prisma),
          loadFailedObjects(database.prisma),
        ]);
        const status = deriveStatus(record, { now: new Date(), stallMs: config.sync.stallMs, failedObjectsPending, rejectedItems });
        process.stdout.write(opts.json ? `${JSON.stringify({ ...status, failedObjects: failed }, bigintsAsStrings, 2)}\n` : formatStatus(status, failed));
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(logger, error);
    }
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgresql://user@localhost/base base-sync-gateway migrate')
  .action(async () => {
    const { config, logger } = setup();
    try {
      const database = await openDatabase({ config, logger });
      await database.close();
      logger.info('database is up to date');
    } catch (error) {
      fail(logger, error);
    }
  });

program
  .command('sync')
  .description('sync from Base (BASE_API_URL, BASE_ACCESS_TOKEN) into the database')
  .requiredOption('--once', 'run one full session, then exit (0 on success); transient failures are retried within the run, which gives up (exit 1) after SYNC_STALL_SECONDS without progress')
  .addHelpText('after', '\nExample:\n  $ BASE_ACCESS_TOKEN=... DATABASE_URL=postgresql://localhost/base base-sync-gateway sync --once')
  .action(async () => {
    const { config, logger } = setup();
    if (!config.base.accessToken) {
      process.stderr.write('base-sync-gateway: invalid configuration: BASE_ACCESS_TOKEN: required by sync (start runs a demo without it)\n');
      process.exit(EXIT_CONFIG);
    }
    let exitCode = 1;
    try {
      const database = await openDatabase({ config, logger });
      const engine = createSyncEngine({
        prisma: database.prisma,
        databaseUrl: database.url,
        baseUrl: config.base.apiUrl,
        token: config.base.accessToken,
        ...syncEngineOptions(config),
        logger,
      });
      // Interrupted: the page in hand is committed and acked (or dropped unapplied), then exit 130.
      let stopping: Promise<void> | undefined;
      onShutdownSignal(
        logger,
        async () => {
          await (stopping = engine.stop());
          await database.close();
        },
        130,
      );
      try {
        const summary = await engine.runOnce();
        // The custom fields of what was synced, discovered after the session.
        if (!summary.interrupted) await engine.customFieldsDiscovered();
        logger.info(summary, summary.started ? 'sync finished' : 'nothing new to sync');
        exitCode = summary.interrupted ? 130 : 0;
      } finally {
        // An interrupted run ends before stop() has recorded it: the database stays open until then.
        await stopping;
        await database.close();
      }
    } catch (error) {
      logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
    }
    setTimeout(() => process.exit(exitCode), 100);
  });

program
  .command('simulate')
  .description('run the Base Sync API simulator alone, with a generated CRM world')
  .option('--port <port>', 'port to listen on', '3030')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--token <token>', 'bearer token clients must send (64 characters)', DEMO_TOKEN)
  .option('--seed <n>', 'seed of the world, activity and faults', '1')
  .option('--objects <n>', 'objects in the initial world', '5000')
  .option('--activity <perSecond>', 'live creates, updates and deletes per second', '0')
  .option('--page-size <n>', 'items per queue page', '100')
  .addOption(
    new Option('--revisions <model>', 'how object states are numbered: clock (one account-wide increasing number, as Base) or counter (per object, from 1)')
      .choices(REVISION_MODELS)
      .default('clock'),
  )
  .option('--scopes <list>', 'what the token may do: sync (the Sync API), read (custom field definitions)', 'sync,read')
  .addHelpText('after', '\nExample:\n  $ base-sync-gateway simulate --port 3030 --objects 100000 --activity 5')
  .action(async (opts: Record<string, string>) => {
    const logger = createLogger({ level: 'info' });
    const integer = (name: string, value: string | undefined, min = 0) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) {
        process.stderr.write(`base-sync-gateway simulate: --${name} must be a whole number >= ${min} (got ${JSON.stringify(value)})\n`);
        process.exit(2);
      }
      return n;
    };
    const activity = Number(opts.activity);
    if (!(activity >= 0)) {
      process.stderr.write(`base-sync-gateway simulate: --activity must be a number >= 0 (got ${JSON.stringify(opts.activity)})\n`);
      process.exit(2);
    }
    const scopes = String(opts.scopes).split(',').map((s) => s.trim()).filter(Boolean);
    if (scopes.some((s) => s !== 'sync' && s !== 'read')) {
      process.stderr.write(`base-sync-gateway simulate: --scopes takes sync and/or read, comma-separated (got ${JSON.stringify(opts.scopes)})\n`);
      process.exit(2);
    }
    const { createSimulator } = await import('./simulator/simulator.ts');
    const simulator = createSimulator({
      token: opts.token,
      scopes: scopes as Array<'sync' | 'read'>,
      seed: integer('seed', opts.seed),
      world: { total: integer('objects', opts.objects) },
      activityPerSecond: activity,
      pageSize: integer('page-size', opts.pageSize, 1),
      revisions: opts.revisions as RevisionModel,
      logger,
    });
    try {
      const url = await simulator.listen(integer('port', opts.port), opts.host);
      logger.info({ url, token: opts.token === DEMO_TOKEN ? 'the demo token (see README)' : 'as given' }, `Sync API simulator at ${url}`);
      onShutdownSignal(logger, () => simulator.close());
    } catch (error) {
      fail(logger, error);
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
}
