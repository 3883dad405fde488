// Demo helpers shared by `npm start` and the docker-compose demo: log in as the seeded vendor admin,
// publish the saved policies, mint single-use enrollment tokens for the demo plants, and register the
// repository's shipped models.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DEMO_ADMIN = { email: 'vendor.admin@demo-vendor.example', password: 'meridian-demo' };

export async function demoSession(baseUrl) {
  const login = await fetch(`${baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_ADMIN) });
  if (!login.ok) throw new Error(`demo login failed (${login.status}); was the demo tenant seeded?`);
  const { accessToken } = await login.json();
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const call = async (method, route, body) => {
    const response = await fetch(`${baseUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => undefined) };
  };
  return {
    call,
    async publishPolicies() {
      const published = await call('POST', '/v1/policies/publish', {});
      if (!published.ok) throw new Error(`publishing policies failed (${published.status})`);
    },
    async enrollmentToken(country) {
      const sites = (await call('GET', `/v1/sites?country=${country}`)).body?.items ?? [];
      if (!sites[0]) throw new Error(`no demo site in ${country}`);
      const created = await call('POST', '/v1/enrollment-tokens', { siteId: sites[0].id, ttlSeconds: 3600 });
      if (!created.ok) throw new Error(`could not create an enrollment token (${created.status})`);
      return created.body.token;
    },
    /**
     * Registers and publishes the shipped models (models/index.json, broken builds left out) that the
     * tenant does not have yet, the way a vendor's release pipeline would: `meridian models push`
     * with an API key made for it and revoked right after. Returns "name version" of each one published.
     */
    async publishShippedModels(root) {
      const shipped = JSON.parse(readFileSync(path.join(root, 'models/index.json'), 'utf8')).filter((m) => !m.broken);
      const published = new Set();
      for (const model of (await call('GET', '/v1/models')).body?.items ?? []) {
        for (const version of (await call('GET', `/v1/models/${model.id}`)).body?.versions ?? []) if (version.status === 'published') published.add(`${model.name} ${version.version}`);
      }
      const missing = shipped.filter((m) => !published.has(`${m.name} ${m.version}`));
      if (missing.length === 0) return [];
      const key = await call('POST', '/v1/api-keys', { name: 'demo model publisher', role: 'vendor_engineer', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      if (!key.ok) throw new Error(`could not create an API key to publish the demo models (${key.status})`);
      const cli = path.join(root, 'apps/cli/dist/main.js');
      if (!existsSync(cli)) throw new Error(`${cli} not found (build first)`);
      try {
        for (const model of missing) {
          const dir = path.join(root, 'models', model.name, model.version);
          const card = JSON.parse(readFileSync(path.join(dir, 'card.json'), 'utf8'));
          const pushArgs = ['models', 'push', '--model', model.name, '--version', model.version, '--card', path.join(dir, 'card.json'), '--artifact', path.join(dir, 'model.onnx'), '--description', card.intendedUse, '--publish'];
          await run(process.execPath, [cli, ...pushArgs], { env: { ...process.env, MERIDIAN_URL: baseUrl, MERIDIAN_API_KEY: key.body.key } }).catch((error) => {
            throw new Error(`meridian models push ${model.name} ${model.version} failed: ${error.stderr || error.message}`);
          });
        }
      } finally {
        await call('DELETE', `/v1/api-keys/${key.body.id}`);
      }
      return missing.map((m) => `${m.name} ${m.version}`);
    },
  };
}
