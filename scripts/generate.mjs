// Code generation, run at install (postinstall) and before builds. Everything runs offline.
//  1. Prisma client. Prisma 7's CLI tries to download its schema engine before `generate`, which cannot
//     work offline; generation never uses that engine, so any existing file satisfies the check.
//  2. gRPC protocol types (libs/protocol) with buf's binary from the npm package and the local ts-proto plugin.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(label, command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`generate: ${label} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

run('prisma generate', process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
});
run('buf generate', path.join(root, 'node_modules/.bin/buf'), ['generate'], { cwd: path.join(root, 'libs/protocol') });
