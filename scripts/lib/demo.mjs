// Demo helpers shared by `npm start` and the docker-compose demo: log in as the seeded vendor admin,
// publish the saved policies, and mint single-use enrollment tokens for the demo plants.
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
  };
}
