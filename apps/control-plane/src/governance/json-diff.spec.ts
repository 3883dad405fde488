import { describe, expect, it } from 'vitest';
import { diffJson } from './json-diff';

describe('diffJson', () => {
  it('lists added, removed and changed fields by path', () => {
    const a = { kind: 'CountryOverlay', categories: { images: { egress: { allow: ['vendor_cloud:*'] }, retentionDays: 30 } } };
    const b = { kind: 'CountryOverlay', categories: { images: { egress: { allow: [] } }, telemetry: { provenance: 'none' } } };
    expect(diffJson(a, b)).toEqual([
      { path: 'categories.images.egress.allow', change: 'changed', from: ['vendor_cloud:*'], to: [] },
      { path: 'categories.images.retentionDays', change: 'removed', from: 30 },
      { path: 'categories.telemetry', change: 'added', to: { provenance: 'none' } },
    ]);
    expect(diffJson(a, a)).toEqual([]);
  });
});
