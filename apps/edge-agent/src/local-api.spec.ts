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
});
