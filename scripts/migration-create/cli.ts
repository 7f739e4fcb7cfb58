// `npm run migrate:create -- <name> [--allow-empty]`: creates the next migration offline
// (the server for scratch databases: DATABASE_URL, or the local one).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMigration, DEFAULT_DATABASE_URL, DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from './create-migration.ts';

const USAGE = `usage: migrate:create <name> [--allow-empty] [--schema <file>] [--migrations <dir>]
Creates prisma/migrations/<timestamp>_<name>/migration.sql from the changes in the schema
(with --allow-empty, an empty one to fill in by hand when there are none).
Needs a Postgres server where it may create a scratch database: DATABASE_URL, or ${DEFAULT_DATABASE_URL}.`;

/** `migrate:create` on the command line; resolves to the process exit code. */
export async function runCreateMigrationCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const names: string[] = [];
  let schemaPath = DEFAULT_SCHEMA_PATH;
  let migrationsDir = DEFAULT_MIGRATIONS_DIR;
  let allowEmpty = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg === '--allow-empty') {
      allowEmpty = true;
    } else if (arg === '--schema' || arg === '--migrations') {
      const value = argv[++i];
      if (!value) {
        console.error(`${arg} needs a value\n${USAGE}`);
        return 2;
      }
      if (arg === '--schema') schemaPath = path.resolve(value);
      else migrationsDir = path.resolve(value);
    } else if (arg.startsWith('-')) {
      console.error(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else {
      names.push(arg);
    }
  }
  if (names.length !== 1 || !names[0]) {
    console.error(USAGE);
    return 2;
  }
  try {
    const created = await createMigration({
      databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
      schemaPath,
      migrationsDir,
      name: names[0],
      allowEmpty,
    });
    if (created) console.log(`Created ${path.relative(process.cwd(), path.join(created.directory, 'migration.sql'))}`);
    else console.log('No changes: the schema matches the migrations.');
    return 0;
  } catch (error) {
    console.error(`migrate:create failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly, in case anything the engine started still holds the event loop.
  process.exit(await runCreateMigrationCli(process.argv.slice(2)));
}
