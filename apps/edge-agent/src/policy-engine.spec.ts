import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, sha256Hex } from '@meridian/crypto';
import { EXAMPLE_BASE_POLICY, EXAMPLE_STRICT_IN_COUNTRY_OVERLAY, mergePolicies, signBundle, type BundlePayload } from '@meridian/governance';
import type { NodeIdentityFile } from './identity';
import { Journal } from './journal';
import { POLICY_FILE, PolicyEngine, type AuditRecorder } from './policy-engine';

const logger = pino({ level: 'silent' });
const tenantKey = generateEd25519KeyPair();
const tenantPrivate = loadPrivateKey(tenantKey.privateKeyPem);
const nextKey = generateEd25519KeyPair();
const identity: NodeIdentityFile = {
  nodeId: 'n1',
  tenantId: 't1',
  siteId: 's1',
  siteCountry: 'ID',
  policySigningKeys: [{ keyId: 'tsk_1', publicKey: tenantKey.publicKey.toString('base64') }],
  heartbeatIntervalSeconds: 10,
  enrolledAt: '2026-11-25T00:00:00Z',
  controlPlane: '127.0.0.1:50051',
};

function bundle(version: number, options: { overlay?: boolean; keys?: { keyId: string; publicKey: string }[]; consent?: Record<string, boolean> } = {}): BundlePayload {
  return {
    apiVersion: 'meridian.dev/bundle/v1',
    tenantId: 't1',
    siteId: 's1',
    country: 'ID',
    version,
    issuedAt: new Date().toISOString(),
    sources: { baseVersion: 1, overlayVersion: options.overlay ? 1 : null },
    consent: options.consent ?? {},
    policy: mergePolicies(EXAMPLE_BASE_POLICY, options.overlay ? EXAMPLE_STRICT_IN_COUNTRY_OVERLAY : undefined, 'ID').policy,
    signingKeys: options.keys ?? identity.policySigningKeys,
  };
}

const imagesOut = { category: 'inspection_images', action: 'egress' as const, destination: 'vendor_cloud:eu' };

describe('PolicyEngine', () => {
  let dir: string;
  let journal: Journal;
  let recorder: AuditRecorder;
  const recorded = async () => {
    await journal.flush();
    return (await journal.unacknowledged(1000)).map((r) => JSON.parse(r.body) as { type: string; decision?: string });
  };
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-policy-'));
    journal = await Journal.open(dir, { maxBytes: 1_000_000, flushIntervalMs: 1, retentionMs: 86_400_000 }, logger);
    recorder = {
      get full() {
        return journal.full;
      },
      record: (event) => journal.append({ at: new Date().toISOString(), actor: 'node:n1', ...event }).then(() => undefined),
    };
  });
  afterEach(async () => {
    await journal.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('denies everything without a bundle', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    await engine.load();
    expect(await engine.decide({ category: 'model_outputs', action: 'infer' })).toMatchObject({ decision: 'deny', ruleId: 'policy.none' });
  });

  it('applies a verified bundle, persists it, and enforces it after a restart', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    expect(await engine.apply(signBundle(bundle(1), 'tsk_1', tenantPrivate))).toEqual({ applied: true, version: 1 });
    expect(await engine.decide(imagesOut)).toMatchObject({ decision: 'allow_with_redaction', policyVersion: 1 });
    expect(await engine.apply(signBundle(bundle(2, { overlay: true }), 'tsk_1', tenantPrivate))).toEqual({ applied: true, version: 2 });
    expect(await engine.decide(imagesOut)).toMatchObject({ decision: 'deny', layer: 'overlay:ID', policyVersion: 2 });

    const restarted = new PolicyEngine(dir, identity, logger, recorder);
    await restarted.load();
    expect(restarted.version).toBe(2);
    expect(await restarted.decide(imagesOut)).toMatchObject({ decision: 'deny', policyVersion: 2 });
    expect((await recorded()).map((e) => e.type)).toEqual(['bundle.applied', 'policy.decision', 'bundle.applied', 'policy.decision', 'policy.decision']);
  });

  it('answers a repeated question from the bundle in force, so a consent change flips it at once', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    const recipesOut = { category: 'process_parameters', action: 'egress' as const, destination: 'vendor_cloud:eu' };
    await engine.apply(signBundle(bundle(1), 'tsk_1', tenantPrivate));
    expect(engine.evaluate(recipesOut)).toMatchObject({ decision: 'deny', ruleId: 'process_parameters.consent.vendor_remote_diagnostics', policyVersion: 1 });
    expect(engine.evaluate(recipesOut)).toMatchObject({ decision: 'deny', policyVersion: 1 });
    await engine.apply(signBundle(bundle(2, { consent: { vendor_remote_diagnostics: true } }), 'tsk_1', tenantPrivate));
    expect(engine.evaluate(recipesOut)).toMatchObject({ decision: 'allow_with_redaction', policyVersion: 2 });
    // evaluate alone records nothing; decide records every answer, repeated or not
    expect((await recorded()).filter((e) => e.type === 'policy.decision')).toHaveLength(0);
    await engine.decide(recipesOut);
    await engine.decide(recipesOut, 'scada');
    const decisions = (await recorded()).filter((e) => e.type === 'policy.decision') as { decision?: string; data?: { client?: string } }[];
    expect(decisions.map((e) => e.decision)).toEqual(['allow_with_redaction', 'allow_with_redaction']);
    // The application that asked, when the local API knows it, is part of the record.
    expect(decisions.map((e) => e.data?.client)).toEqual([undefined, 'scada']);
  });

  it('journals the consent state it enforces whenever a flag changes, and only then', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    await engine.apply(signBundle(bundle(1, { consent: { vendor_remote_diagnostics: true } }), 'tsk_1', tenantPrivate));
    await engine.apply(signBundle(bundle(2, { consent: { vendor_remote_diagnostics: true } }), 'tsk_1', tenantPrivate));
    await engine.apply(signBundle(bundle(3, { consent: { vendor_remote_diagnostics: false, share_images: true } }), 'tsk_1', tenantPrivate));
    const seen = (await recorded()).filter((e) => e.type === 'consent.seen') as unknown as { data: { version: number; changed: string[]; consent: Record<string, boolean> } }[];
    expect(seen.map((e) => e.data)).toEqual([
      { version: 1, changed: ['vendor_remote_diagnostics'], consent: { vendor_remote_diagnostics: true } },
      { version: 3, changed: ['share_images', 'vendor_remote_diagnostics'], consent: { vendor_remote_diagnostics: false, share_images: true } },
    ]);
  });

  it('refuses a tampered bundle, an unknown key and a replayed older one, keeping the last known good', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    const v2 = signBundle(bundle(2, { overlay: true }), 'tsk_1', tenantPrivate);
    await engine.apply(v2);
    const onDisk = await fs.readFile(path.join(dir, POLICY_FILE), 'utf8');

    const v3 = signBundle(bundle(3), 'tsk_1', tenantPrivate);
    const tamperedPayload = Buffer.from(Buffer.from(v3.payload).toString('utf8').replace('"egress":{"layer":"base","value":[]}', '"egress":{"layer":"base","value":["third_party:*"]}'));
    const tampered = { ...v3, payload: tamperedPayload, digest: sha256Hex(tamperedPayload) };
    expect(await engine.apply(tampered)).toMatchObject({ applied: false, reason: expect.stringMatching(/signature/) });

    const stranger = loadPrivateKey(generateEd25519KeyPair().privateKeyPem);
    expect(await engine.apply(signBundle(bundle(3), 'tsk_evil', stranger))).toMatchObject({ applied: false, reason: expect.stringMatching(/unknown key/) });
    expect(await engine.apply(signBundle(bundle(1), 'tsk_1', tenantPrivate))).toMatchObject({ applied: false, reason: expect.stringMatching(/rollback/) });
    expect(await engine.apply(v2)).toMatchObject({ applied: false, reason: expect.stringMatching(/rollback/) });

    expect(engine.version).toBe(2);
    expect(await fs.readFile(path.join(dir, POLICY_FILE), 'utf8')).toBe(onDisk);
    expect(await engine.decide(imagesOut)).toMatchObject({ decision: 'deny', policyVersion: 2 });
    expect((await recorded()).filter((e) => e.type === 'bundle.refused')).toHaveLength(4);
  });

  it('denies, rather than acting unrecorded, when the journal is full', async () => {
    const full: AuditRecorder = { full: true, record: async () => undefined };
    const engine = new PolicyEngine(dir, identity, logger, full);
    await engine.apply(signBundle(bundle(1), 'tsk_1', tenantPrivate));
    expect(await engine.decide({ category: 'model_outputs', action: 'infer' })).toMatchObject({ decision: 'deny', ruleId: 'audit.journal_full' });
  });

  it('does not enforce a last-known-good file that was altered on disk', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    await engine.apply(signBundle(bundle(1), 'tsk_1', tenantPrivate));
    const stored = JSON.parse(await fs.readFile(path.join(dir, POLICY_FILE), 'utf8')) as { payload: string };
    stored.payload = Buffer.from(Buffer.from(stored.payload, 'base64').toString('utf8').replace('"ID"', '"CL"')).toString('base64');
    await fs.writeFile(path.join(dir, POLICY_FILE), JSON.stringify(stored));
    const restarted = new PolicyEngine(dir, identity, logger, recorder);
    await restarted.load();
    expect(await restarted.decide(imagesOut)).toMatchObject({ decision: 'deny', ruleId: 'policy.none' });
  });

  it('accepts a new signing key only when a trusted key announces it', async () => {
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    const nextPrivate = loadPrivateKey(nextKey.privateKeyPem);
    const announced = [...identity.policySigningKeys, { keyId: 'tsk_2', publicKey: nextKey.publicKey.toString('base64') }];
    // signed by the new key before anyone announced it: refused
    expect(await engine.apply(signBundle(bundle(1, { keys: announced }), 'tsk_2', nextPrivate))).toMatchObject({ applied: false });
    // announced by a bundle the old key signed: from then on the new key is trusted, across restarts
    expect(await engine.apply(signBundle(bundle(1, { keys: announced }), 'tsk_1', tenantPrivate))).toMatchObject({ applied: true });
    const restarted = new PolicyEngine(dir, identity, logger, recorder);
    await restarted.load();
    expect(await restarted.apply(signBundle(bundle(2, { keys: announced }), 'tsk_2', nextPrivate))).toMatchObject({ applied: true, version: 2 });
  });
});
