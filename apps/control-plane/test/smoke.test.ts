import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';

describe('control plane smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('smoke');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is live and ready', async () => {
    expect((await call(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(h, 'GET', '/readyz')).body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('lists the demo sites of tenant A to its vendor admin', async () => {
    const token = await h.token('a', Role.vendor_admin);
    const sites = await call(h, 'GET', '/v1/sites', { token });
    expect(sites.status).toBe(200);
    expect(sites.body.items.map((s: { country: string }) => s.country).sort()).toEqual(['CL', 'ID']);
  });
});
