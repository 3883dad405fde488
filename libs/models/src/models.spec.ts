import { generateEd25519KeyPair, loadPrivateKey, sha256Hex } from '@meridian/crypto';
import { describe, expect, it } from 'vitest';
import { canTransition, compareSemver, isSemver, type ModelManifest, signManifest, verifyManifest } from './index';

const keys = generateEd25519KeyPair();
const trusted = new Map([['k1', keys.publicKey]]);
const manifest: ModelManifest = {
  apiVersion: 'meridian.dev/model-manifest/v1',
  tenantId: 't1',
  modelId: 'm1',
  name: 'pump-anomaly',
  version: '1.2.0',
  artifact: { sha256: sha256Hex('artifact'), size: 8, format: 'onnx' },
  card: {
    task: 'predictive_maintenance',
    intendedUse: 'score vibration and temperature windows',
    inputCategories: ['equipment_telemetry'],
    outputCategory: 'model_outputs',
    inputs: [{ name: 'features', type: 'float32', shape: [-1, 8] }],
    outputs: [{ name: 'score', type: 'float32', shape: [-1, 1] }],
    trainingData: { summary: 'synthetic' },
    evaluation: { auc: 0.93 },
    exportClassification: 'EAR99',
  },
  publishedAt: '2026-11-25T00:00:00.000Z',
};

describe('semver', () => {
  it('orders versions with semver precedence', () => {
    const sorted = ['1.0.0', '1.0.0-rc.1', '0.9.12', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.11', '1.0.0-beta.2', '2.0.0', '1.10.0'].sort(compareSemver);
    expect(sorted).toEqual(['0.9.12', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.10.0', '2.0.0']);
    expect(compareSemver('1.0.0+build.1', '1.0.0')).toBe(0);
  });
  it('rejects what is not semver', () => {
    for (const bad of ['1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-', '']) expect(isSemver(bad)).toBe(false);
    expect(() => compareSemver('1.0', '1.0.0')).toThrow(/not a semantic version/);
  });
});

describe('manifest', () => {
  it('verifies what was signed and names what is wrong otherwise', () => {
    const signed = signManifest(manifest, 'k1', loadPrivateKey(keys.privateKeyPem));
    expect(verifyManifest(signed, trusted, { tenantId: 't1', version: '1.2.0', artifactSha256: manifest.artifact.sha256 })).toEqual({ ok: true, manifest });
    expect(verifyManifest({ ...signed, keyId: 'k2' }, trusted, { tenantId: 't1' })).toEqual({ ok: false, reason: 'manifest signed by unknown key k2' });
    const tampered = Buffer.from(signed.manifest.toString('utf8').replace('1.2.0', '1.3.0'));
    expect(verifyManifest({ ...signed, manifest: tampered }, trusted, { tenantId: 't1' })).toMatchObject({ ok: false, reason: /signature/ });
    expect(verifyManifest(signed, trusted, { tenantId: 't2' })).toMatchObject({ ok: false, reason: /another tenant/ });
    expect(verifyManifest(signed, trusted, { tenantId: 't1', version: '1.1.0' })).toMatchObject({ ok: false, reason: /another version/ });
  });
});

describe('node model states', () => {
  it('allows the forward path and refuses skipping back', () => {
    expect(canTransition('pending', 'downloading')).toBe(true);
    expect(canTransition('activating', 'active')).toBe(true);
    expect(canTransition('active', 'downloading')).toBe(false);
    expect(canTransition('verifying', 'verifying')).toBe(true);
  });
});
