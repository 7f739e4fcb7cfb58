// Prisma CLI configuration. The CLI would download a native schema engine from
// outside npm, which these machines cannot reach; `generate` never runs it, so
// pointing the variable at any existing file lets `prisma generate` work offline.
// Migrations are applied by the app itself (src/db/migrations.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
process.env.CHECKPOINT_DISABLE ??= '1';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
