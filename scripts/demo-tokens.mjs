// For the docker-compose demo: waits for the API, publishes the seeded policies and the shipped models
// (once), and writes one enrollment token per demo plant to TOKENS_DIR/<country> (the agents read them once).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSession } from './lib/demo.mjs';

const baseUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const dir = process.env.TOKENS_DIR ?? '/tokens';
const countries = (process.env.DEMO_COUNTRIES ?? 'ID,CL').split(',');

for (let attempt = 0; ; attempt += 1) {
  const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
  if (ready) break;
  if (attempt > 120) throw new Error(`API at ${baseUrl} never became ready`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const session = await demoSession(baseUrl);
await session.publishPolicies();
const published = await session.publishShippedModels(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (published.length) console.log(`demo models published: ${published.join(', ')}`);
mkdirSync(dir, { recursive: true });
for (const country of countries) {
  const file = path.join(dir, country.toLowerCase());
  if (existsSync(file)) continue; // the agent enrolled with it already (or will)
  writeFileSync(file, await session.enrollmentToken(country), { mode: 0o600 });
  console.log(`enrollment token for ${country} written to ${file}`);
}
