// `npm test`: local services up, build (type-checks everything and produces the dist/ that tests
// spawn as real processes), type-check the tests, then vitest. Extra arguments go to vitest: `npm test -- apps/worker`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres, ensureRedis, runOrExplain } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The server the tests create their databases on (same rule as libs/db/src/testing/test-database.ts).
const testServer = process.env.TEST_DATABASE_SERVER_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

await runOrExplain(async () => {
  await ensurePostgres(testServer);
  await ensureRedis();
});

const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`✖ could not run ${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
};
const built = run('npm', ['run', '--silent', 'build']);
if (built !== 0) {
  console.error(`\n✖ build (tsc -b, portal) failed (exit ${built}); no tests were run`);
  process.exit(built);
}
// vitest strips types without checking them: the tests and specs are type-checked here first.
const checked = run(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.test.json']);
if (checked !== 0) {
  console.error(`\n✖ type check of the tests (tsc -p tsconfig.test.json) failed (exit ${checked}); no tests were run`);
  process.exit(checked);
}
process.exit(run(path.join(root, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)]));
