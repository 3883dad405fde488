// Prisma 7's CLI tries to download its schema engine before `generate`, which cannot work offline.
// Generation never uses that engine, so any existing file satisfies the check (see ../shared/TOOLCHAIN.md).
import { spawnSync } from 'node:child_process';

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
