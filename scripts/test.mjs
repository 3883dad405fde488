// `npm test`: local services up, build (type-checks everything and produces the dist/ that tests
// spawn as real processes), then vitest. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres, ensureRedis } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testServer = process.env.TEST_DATABASE_SERVER_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

await ensurePostgres(testServer);
await ensureRedis();

const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const built = run('npm', ['run', '--silent', 'build']);
if (built !== 0) process.exit(built);
process.exit(run(path.join(root, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)]));
