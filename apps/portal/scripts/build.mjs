// The portal's production build: regenerate the API client from the control plane, type-check
// against it, then bundle with Vite into dist/ (which the control plane serves).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const portal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(portal, '../..');
const steps = [
  ['generate API client', process.execPath, [path.join(portal, 'scripts/generate-client.mjs')]],
  ['type-check (tsc -b apps/portal)', path.join(root, 'node_modules/.bin/tsc'), ['-b', 'apps/portal']],
  ['bundle (vite build)', path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn']],
];
for (const [label, command, args] of steps) {
  const result = spawnSync(command, args, { cwd: label.startsWith('bundle') ? portal : root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✖ portal: ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}
