import { describe, expect, it } from 'vitest';
import { isReservedPath } from './portal-static';

describe('portal routes', () => {
  it('never answers the API, probes, metrics, docs or admin paths', () => {
    for (const reserved of ['/v1', '/v1/sites', '/healthz', '/readyz', '/metrics', '/docs', '/docs/openapi.json', '/openapi.json', '/admin/queues']) {
      expect(isReservedPath(reserved), reserved).toBe(true);
    }
  });

  it('answers client-side routes, including ones that merely start with the same letters', () => {
    for (const route of ['/', '/fleet', '/sites/5', '/v1x', '/metricsboard', '/documents', '/administration', '/assets/index.js']) {
      expect(isReservedPath(route), route).toBe(false);
    }
  });
});
