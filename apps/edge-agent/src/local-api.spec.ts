import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalApi, LocalApiError } from './local-api';

describe('local API', () => {
  const api = new LocalApi();
  let base = '';
  beforeAll(async () => {
    api.route('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
    api.route('POST', '/v1/echo', (request) => {
      if (!request.body) throw new LocalApiError(400, 'body required');
      return { status: 200, body: request.body };
    });
    base = `http://127.0.0.1:${await api.listen(0)}`;
  });
  afterAll(async () => {
    await api.close();
  });

  it('routes by method and path', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const echo = await fetch(`${base}/v1/echo`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  it('answers unknown paths, wrong methods and bad bodies clearly', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'DELETE' })).status).toBe(405);
    const bad = await fetch(`${base}/v1/echo`, { method: 'POST', body: '{oops' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'request body is not valid JSON' });
    expect((await fetch(`${base}/v1/echo`, { method: 'POST' })).status).toBe(400);
  });

  it('serves configured applications only, when it has some: each by its token, named to the handler', async () => {
    const tokens = { 'vision-line-1': 'a'.repeat(40), scada: 'b'.repeat(40) };
    const guarded = new LocalApi({ clients: tokens });
    guarded.route('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
    guarded.route('POST', '/v1/who', (request) => ({ status: 200, body: { client: request.client ?? null } }));
    const at = `http://127.0.0.1:${await guarded.listen(0)}`;
    try {
      const who = (authorization?: string) => fetch(`${at}/v1/who`, { method: 'POST', headers: authorization ? { authorization } : {}, body: '{}' });
      const refused = await who();
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="meridian-agent"');
      expect(((await refused.json()) as { error: string }).error).toMatch(/Authorization: Bearer <token>/);
      for (const wrong of [`Bearer ${'c'.repeat(40)}`, `Basic ${tokens.scada}`, `Bearer ${tokens.scada} extra`, 'Bearer ']) expect((await who(wrong)).status, wrong).toBe(401);
      expect(await (await who(`Bearer ${tokens['vision-line-1']}`)).json()).toEqual({ client: 'vision-line-1' });
      expect(await (await who(`bearer ${tokens.scada}`)).json()).toEqual({ client: 'scada' });
      // Liveness stays open for the supervisor.
      expect((await fetch(`${at}/healthz`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
    // Without applications configured, callers are anonymous.
    expect(await (await fetch(`${base}/v1/echo`, { method: 'POST', body: JSON.stringify({ client: 'spoofed?' }) })).json()).toEqual({ client: 'spoofed?' });
  });
});
