import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { describe, expect, it } from 'vitest';
import { appendRecord, type ChainRecord } from './chain';
import { signCheckpoint } from './checkpoint';
import { buildManifest, logLeafBytes, verifyAuditExport, type AuditExportBundle, type ExportedEvent } from './export';
import { leafHash, MerkleRanges } from './merkle';

const keys = generateEd25519KeyPair();
const privateKey = loadPrivateKey(keys.privateKeyPem);

/** A log of two sources interleaved, checkpointed at 3, 6 and 10 events. */
function bundle(): AuditExportBundle {
  const events: ExportedEvent[] = [];
  const heads = new Map<string, ChainRecord>();
  for (let i = 0; i < 10; i += 1) {
    const sourceId = i % 3 === 0 ? 'control-plane' : 'node-1';
    const record = appendRecord(heads.get(sourceId), { at: `2026-11-25T00:00:0${i}Z`, type: 'policy.decision', actor: sourceId, decision: i % 2 ? 'deny' : 'allow' });
    heads.set(sourceId, record);
    events.push({ ...record, sourceId, logIndex: i });
  }
  const ranges = new MerkleRanges(events.map((e) => leafHash(logLeafBytes(e))));
  const checkpoints = [3, 6, 10].map((size) =>
    signCheckpoint({ logId: 't1', treeSize: size, rootHash: ranges.root(0, size).toString('hex'), timestamp: '2026-11-25T00:00:00Z', keyId: 'k1' }, privateKey),
  );
  const consistencyProofs = checkpoints.slice(1).map((to, i) => ({
    fromTreeSize: checkpoints[i]!.treeSize,
    toTreeSize: to.treeSize,
    path: ranges.consistencyProof(checkpoints[i]!.treeSize, to.treeSize).map((h) => h.toString('hex')),
  }));
  const body = { signingKeys: [{ keyId: 'k1', publicKey: keys.publicKey.toString('base64') }], checkpoints, consistencyProofs, events };
  return { manifest: buildManifest(body, { tenantId: 't1', exportedAt: '2026-11-25T00:00:10Z', requestedBy: 'user:u1' }), ...body };
}

describe('audit export bundle', () => {
  it('verifies a bundle built from a log', () => {
    expect(verifyAuditExport(bundle())).toMatchObject({ ok: true, events: 10, sources: 2, checkpoints: 3, treeSize: 10, keyIds: ['k1'] });
    expect(verifyAuditExport(bundle(), { trustedKeys: new Map([['k1', keys.publicKey]]) })).toMatchObject({ ok: true });
  });

  it('names what is wrong', () => {
    const altered = bundle();
    altered.events[5]!.body = altered.events[5]!.body.replace('deny', 'allow');
    expect(verifyAuditExport(altered)).toMatchObject({ ok: false, sourceId: 'node-1', seq: 4, reason: expect.stringMatching(/node-1#4 was altered/) });

    const dropped = bundle();
    dropped.events.splice(9, 1);
    expect(verifyAuditExport(dropped)).toMatchObject({ ok: false, reason: expect.stringMatching(/9 events, its newest checkpoint covers 10/) });

    const rewritten = bundle();
    rewritten.checkpoints[0] = signCheckpoint({ ...rewritten.checkpoints[0]!, rootHash: 'ab'.repeat(32) }, privateKey);
    expect(verifyAuditExport(rewritten)).toMatchObject({ ok: false, reason: 'checkpoint 3 is not a prefix of checkpoint 6: the log was rewritten in between' });

    const unproven = bundle();
    unproven.consistencyProofs.pop();
    expect(verifyAuditExport(unproven)).toMatchObject({ ok: false, reason: 'no consistency proof from checkpoint 6 to 10' });

    const otherKey = generateEd25519KeyPair().publicKey;
    expect(verifyAuditExport(bundle(), { trustedKeys: new Map([['k1', otherKey]]) })).toMatchObject({ ok: false, reason: 'checkpoint 3: signature does not verify' });

    const swapped = bundle();
    swapped.signingKeys.push({ keyId: 'k2', publicKey: otherKey.toString('base64') });
    expect(verifyAuditExport(swapped)).toMatchObject({ ok: false, reason: "the signingKeys section does not match the manifest's digest" });
  });

  it('refuses malformed input with a message instead of throwing', () => {
    for (const input of [null, 42, {}, { manifest: { format: 'meridian.audit-export.v1' } }, { ...bundle(), events: [{ sourceId: 1 }] }]) {
      const result = verifyAuditExport(input);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toMatch(/audit export|unsupported format|malformed|manifest/);
    }
  });
});
