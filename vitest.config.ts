import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC keeps decorator metadata (esbuild drops it and Nest's DI then fails).
// Workspace libs resolve to their sources, so tests never run against a stale build.
const lib = (name: string) => path.resolve(__dirname, `libs/${name}/src`);

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^@meridian\/db\/testing$/, replacement: `${lib('db')}/testing/index.ts` },
      { find: /^@meridian\/db\/seed$/, replacement: `${lib('db')}/seed/index.ts` },
      { find: /^@meridian\/(config|crypto|db|jobs|protocol|governance|telemetry|audit|models)$/, replacement: `${path.resolve(__dirname, 'libs')}/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['{apps,libs,tools}/*/src/**/*.spec.ts', 'scripts/**/*.spec.ts', '{apps,libs,tools}/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
