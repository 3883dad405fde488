// Prisma 7 CLI configuration, used for `prisma generate` only.
// Migrations are applied by tools/prisma-migrate (Prisma 6's WASM schema engine works offline).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/meridian' },
});
