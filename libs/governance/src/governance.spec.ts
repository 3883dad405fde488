import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, sha256Hex } from '@meridian/crypto';
import {
  canonicalJson,
  decide,
  EXAMPLE_BASE_POLICY,
  EXAMPLE_CONSENT_GATED_OVERLAY,
  EXAMPLE_STRICT_IN_COUNTRY_OVERLAY,
  mergePolicies,
  parsePolicyDocument,
  redact,
  signBundle,
  verifyBundle,
  type BundlePayload,
  type CountryOverlay,
  type DecisionRequest,
} from './index';

const id = mergePolicies(EXAMPLE_BASE_POLICY, EXAMPLE_STRICT_IN_COUNTRY_OVERLAY, 'ID');
const cl = mergePolicies(EXAMPLE_BASE_POLICY, EXAMPLE_CONSENT_GATED_OVERLAY, 'CL');

describe('merge precedence', () => {
  it('takes overlay fields over base fields, base over defaults, and remembers the layer', () => {
    expect(id.findings).toEqual([]);
    const images = id.policy.categories.inspection_images!;
    expect(images.egress).toEqual({ value: [], layer: 'overlay:ID' });
    expect(images.residency).toEqual({ value: ['site'], layer: 'base' });
    expect(images.redaction.layer).toBe('base');
    // the CL plant keeps the base's image egress
    expect(cl.policy.categories.inspection_images!.egress).toEqual({ value: ['vendor_cloud:*'], layer: 'base' });
    // categories nobody mentions get the safe defaults
    const bare = mergePolicies(undefined, undefined, 'DE').policy.categories.operator_identity!;
    expect(bare.egress).toEqual({ value: [], layer: 'default' });
    expect(bare.residency).toEqual({ value: ['site'], layer: 'default' });
  });

  it('is deterministic', () => {
    expect(canonicalJson(mergePolicies(EXAMPLE_BASE_POLICY, EXAMPLE_CONSENT_GATED_OVERLAY, 'CL').policy)).toBe(canonicalJson(cl.policy));
  });

  it('reports overlays that loosen the base, and unknown categories as errors', () => {
    const loose: CountryOverlay = {
      apiVersion: 'meridian.dev/v1',
      kind: 'CountryOverlay',
      country: 'CL',
      categories: {
        operator_identity: { egress: { allow: ['third_party:payroll'] }, retentionDays: 365 },
        process_parameters: { consent: { required: [] }, provenance: 'none', redaction: {} },
        welding_seams: { residency: ['site'] },
      },
    };
    const { findings } = mergePolicies(EXAMPLE_BASE_POLICY, loose, 'CL');
    expect(findings.map((f) => `${f.severity} ${f.path}`).sort()).toEqual([
      'error categories.welding_seams',
      'warning categories.operator_identity.egress.allow',
      'warning categories.operator_identity.retentionDays',
      'warning categories.process_parameters.consent.required',
      'warning categories.process_parameters.provenance',
      'warning categories.process_parameters.redaction',
    ]);
  });

  it('accepts custom categories declared by the base', () => {
    const base = { ...EXAMPLE_BASE_POLICY, customCategories: [{ name: 'welding_seams' }], categories: { ...EXAMPLE_BASE_POLICY.categories, welding_seams: { egress: { allow: ['control_plane'] } } } };
    const merged = mergePolicies(base, undefined, 'ID');
    expect(merged.findings).toEqual([]);
    expect(merged.policy.categories.welding_seams!.egress.value).toEqual(['control_plane']);
  });
});

describe('decisions', () => {
  type Row = [string, 'ID' | 'CL', Record<string, boolean>, DecisionRequest, string, string, string];
  const on = { vendor_remote_diagnostics: true };
  const off = {};
  const rows: Row[] = [
    // label, site country, consent, request, verdict, rule, layer
    ['images to vendor cloud from ID', 'ID', on, { category: 'inspection_images', action: 'egress', destination: 'vendor_cloud:eu' }, 'deny', 'inspection_images.egress', 'overlay:ID'],
    ['images to vendor cloud from CL', 'CL', on, { category: 'inspection_images', action: 'egress', destination: 'vendor_cloud:eu' }, 'allow_with_redaction', 'inspection_images.redaction', 'base'],
    ['telemetry to vendor cloud, CL, consent on', 'CL', on, { category: 'equipment_telemetry', action: 'egress', destination: 'vendor_cloud:us' }, 'allow', 'equipment_telemetry.egress', 'base'],
    ['telemetry to vendor cloud, CL, consent off', 'CL', off, { category: 'equipment_telemetry', action: 'egress', destination: 'vendor_cloud:us' }, 'deny', 'equipment_telemetry.consent.vendor_remote_diagnostics', 'consent'],
    ['telemetry to vendor cloud, ID (consent irrelevant)', 'ID', off, { category: 'equipment_telemetry', action: 'egress', destination: 'vendor_cloud:us' }, 'deny', 'equipment_telemetry.egress', 'overlay:ID'],
    ['telemetry to control plane, ID', 'ID', off, { category: 'equipment_telemetry', action: 'egress', destination: 'control_plane' }, 'allow', 'equipment_telemetry.egress', 'overlay:ID'],
    ['recipe to vendor cloud, consent off', 'ID', off, { category: 'process_parameters', action: 'egress', destination: 'vendor_cloud:eu' }, 'deny', 'process_parameters.consent.vendor_remote_diagnostics', 'consent'],
    ['recipe to vendor cloud, consent on (hashed)', 'CL', on, { category: 'process_parameters', action: 'egress', destination: 'vendor_cloud:eu' }, 'allow_with_redaction', 'process_parameters.redaction', 'base'],
    ['operator identity anywhere', 'CL', on, { category: 'operator_identity', action: 'egress', destination: 'control_plane' }, 'deny', 'operator_identity.egress', 'base'],
    ['store images in country', 'ID', on, { category: 'inspection_images', action: 'store', location: 'country' }, 'deny', 'inspection_images.residency', 'base'],
    ['store telemetry in country', 'ID', on, { category: 'equipment_telemetry', action: 'store', location: 'country' }, 'allow', 'equipment_telemetry.residency', 'base'],
    ['infer on images locally', 'ID', off, { category: 'inspection_images', action: 'infer' }, 'allow', 'inspection_images.infer', 'default'],
    ['unknown category', 'ID', on, { category: 'payroll', action: 'infer' }, 'deny', 'category.unknown', 'default'],
    ['egress without destination', 'CL', on, { category: 'model_outputs', action: 'egress' }, 'deny', 'model_outputs.egress', 'default'],
    ['third party never listed', 'CL', on, { category: 'model_outputs', action: 'egress', destination: 'third_party:acme' }, 'deny', 'model_outputs.egress', 'base'],
  ];
  it.each(rows)('%s', (_label, country, consent, request, verdict, ruleId, layer) => {
    const policy = (country === 'ID' ? id : cl).policy;
    expect(decide(policy, consent, request)).toMatchObject({ decision: verdict, ruleId, layer });
  });

  it('redacts dropped and hashed fields, nested too', () => {
    const out = redact({ image: 'abc', operator_badge: 'B-7', meta: { recipe_id: 'R1', line: 'A' } }, { drop: ['operator_badge'], hash: ['meta.recipe_id'] }, sha256Hex);
    expect(out).toEqual({ image: 'abc', meta: { recipe_id: sha256Hex('"R1"'), line: 'A' } });
  });

  it('leaves the record it is given as it was, and redacts inside arrays and shared paths', () => {
    const record = { meta: { recipe_id: 'R1', operator: 'O-9', line: 'A' }, readings: [{ badge: 'B-1' }, { badge: 'B-2' }], keep: { deep: [1, 2] } };
    const before = structuredClone(record);
    const out = redact(record, { drop: ['meta.operator', 'readings.1', 'missing.path', 'toString'], hash: ['meta.recipe_id', 'readings.0.badge'] }, sha256Hex);
    expect(record).toEqual(before);
    expect(out).toEqual({ meta: { recipe_id: sha256Hex('"R1"'), line: 'A' }, readings: [{ badge: sha256Hex('"B-1"') }, undefined], keep: { deep: [1, 2] } });
    expect(JSON.stringify(out.readings)).toBe(`[{"badge":"${sha256Hex('"B-1"')}"},null]`);
  });
});

describe('documents', () => {
  it('parses JSON and YAML', () => {
    const yaml = 'apiVersion: meridian.dev/v1\nkind: CountryOverlay\ncountry: CL\ncategories:\n  inspection_images:\n    egress:\n      allow: []\n';
    expect(parsePolicyDocument(yaml, 'CountryOverlay')).toMatchObject({ ok: true, document: { country: 'CL' } });
    expect(parsePolicyDocument(JSON.stringify(EXAMPLE_BASE_POLICY), 'BasePolicy').ok).toBe(true);
  });

  it('names the path of every problem', () => {
    const result = parsePolicyDocument(
      { apiVersion: 'meridian.dev/v1', kind: 'CountryOverlay', country: 'cl', categories: { inspection_images: { egress: { allow: ['vendor_cloud:eu', 'ftp://x'] }, retentionDays: -1, colour: 'red' } } },
      'CountryOverlay',
    );
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['categories.inspection_images', 'categories.inspection_images.egress.allow[1]', 'categories.inspection_images.retentionDays', 'country']);
    expect(parsePolicyDocument('a: [unclosed', 'BasePolicy')).toMatchObject({ ok: false, errors: [{ path: '', message: expect.stringMatching(/not valid JSON or YAML/) }] });
    expect(parsePolicyDocument(EXAMPLE_BASE_POLICY, 'CountryOverlay').ok).toBe(false);
  });
});

describe('bundles', () => {
  const pair = generateEd25519KeyPair();
  const key = loadPrivateKey(pair.privateKeyPem);
  const trusted = new Map([['tsk_a', pair.publicKey as Uint8Array]]);
  const payload = (version: number): BundlePayload => ({
    apiVersion: 'meridian.dev/bundle/v1',
    tenantId: 't',
    siteId: 's',
    country: 'CL',
    version,
    issuedAt: '2026-11-25T00:00:00.000Z',
    sources: { baseVersion: 1, overlayVersion: 1 },
    consent: { vendor_remote_diagnostics: true },
    policy: cl.policy,
    signingKeys: [{ keyId: 'tsk_a', publicKey: pair.publicKey.toString('base64') }],
  });
  const expectSite = (currentVersion: number) => ({ siteId: 's', tenantId: 't', currentVersion });

  it('verifies a newer bundle from a trusted key', () => {
    expect(verifyBundle(signBundle(payload(2), 'tsk_a', key), trusted, expectSite(1))).toMatchObject({ ok: true, payload: { version: 2 } });
  });

  it('refuses tampering, unknown keys, rollbacks and other sites', () => {
    const good = signBundle(payload(2), 'tsk_a', key);
    const tampered = { ...good, payload: Buffer.from(Buffer.from(good.payload).toString('utf8').replace('"CL"', '"ID"')) };
    expect(verifyBundle(tampered, trusted, expectSite(1))).toMatchObject({ ok: false, reason: expect.stringMatching(/digest/) });
    const retagged = { ...tampered, digest: sha256Hex(Buffer.from(tampered.payload)) };
    expect(verifyBundle(retagged, trusted, expectSite(1))).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    const stranger = loadPrivateKey(generateEd25519KeyPair().privateKeyPem);
    expect(verifyBundle(signBundle(payload(2), 'tsk_x', stranger), trusted, expectSite(1))).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown key/) });
    expect(verifyBundle(signBundle(payload(2), 'tsk_a', stranger), trusted, expectSite(1))).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    expect(verifyBundle(good, trusted, expectSite(2))).toMatchObject({ ok: false, reason: expect.stringMatching(/rollback/) });
    expect(verifyBundle(good, trusted, { ...expectSite(1), siteId: 'other' })).toMatchObject({ ok: false, reason: expect.stringMatching(/another site/) });
  });

  it('signs canonical bytes', () => {
    const a = signBundle(payload(3), 'tsk_a', key);
    const b = signBundle(JSON.parse(JSON.stringify(payload(3))) as BundlePayload, 'tsk_a', key);
    expect(a.digest).toBe(b.digest);
  });
});
