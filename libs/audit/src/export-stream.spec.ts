import { createHash } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { describe, expect, it } from 'vitest';
import { appendRecord, type ChainRecord } from './chain';
import { signCheckpoint, type Checkpoint } from './checkpoint';
import { logLeafBytes, type ExportedEvent } from './export';
import { AuditExportWriter } from './export-stream';
import { verifyAuditExportStream } from './export-verify-stream';
import { leafHash, MerkleAccumulator, MerkleRanges, rootFromLeafHashes } from './merkle';

const keys = generateEd25519KeyPair();
const privateKey = loadPrivateKey(keys.privateKeyPem);

function log(size = 10): ExportedEvent[] {
  const events: ExportedEvent[] = [];
  const heads = new Map<string, ChainRecord>();
  for (let i = 0; i < size; i += 1) {
    const sourceId = i % 3 === 0 ? 'control-plane' : 'node-1';
    const record = appendRecord(heads.get(sourceId), { at: `2026-11-25T00:00:0${i % 10}Z`, type: 'policy.decision', actor: sourceId, decision: i % 2 ? 'deny' : 'allow' });
    heads.set(sourceId, record);
    events.push({ ...record, sourceId, logIndex: i });
  }
  return events;
}

/** The lines of a v3 bundle of `events`, checkpointed at `sizes`; `edit` may change the parts before they are written. */
function bundle(edit: (parts: { events: ExportedEvent[]; checkpoints: Checkpoint[]; keys: { keyId: string; publicKey: string }[] }) => void = () => undefined, sizes = [3, 6, 10]): string[] {
  const events = log(sizes[sizes.length - 1]);
  const ranges = new MerkleRanges(events.map((e) => leafHash(logLeafBytes(e))));
  const checkpoints = sizes.map((size) => signCheckpoint({ logId: 't1', treeSize: size, rootHash: ranges.root(0, size).toString('hex'), timestamp: '2026-11-25T00:00:00Z', keyId: 'k1' }, privateKey));
  const parts = { events, checkpoints, keys: [{ keyId: 'k1', publicKey: keys.publicKey.toString('base64') }] };
  edit(parts);
  const writer = new AuditExportWriter({ tenantId: 't1', exportedAt: '2026-11-25T00:00:10Z', requestedBy: 'user:u1', treeSize: parts.checkpoints[parts.checkpoints.length - 1]!.treeSize });
  const out = [writer.header(), ...parts.keys.map((k) => writer.signingKey(k)), ...parts.checkpoints.map((c) => writer.checkpoint(c)), ...parts.events.map((e) => writer.event(e)), writer.end()];
  return out.join('').split('\n').filter(Boolean);
}

describe('audit export, v3 (JSON Lines, verified as a stream)', () => {
  it('computes the RFC 9162 root of every prefix in O(log n) memory', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(String(i))));
    const accumulator = new MerkleAccumulator();
    expect(accumulator.root()).toEqual(rootFromLeafHashes([]));
    for (const [i, leaf] of leaves.entries()) {
      accumulator.push(leaf);
      expect(accumulator.root().toString('hex'), `size ${i + 1}`).toBe(rootFromLeafHashes(leaves.slice(0, i + 1)).toString('hex'));
    }
  });

  it('carries a tree on from its perfect subtrees: restored at any size, it reaches the same roots', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    for (let cut = 0; cut <= 40; cut += 1) {
      const first = new MerkleAccumulator();
      for (const leaf of leaves.slice(0, cut)) first.push(leaf);
      const carried = MerkleAccumulator.restore(cut, first.subtreeHashes());
      expect(carried.root()).toEqual(first.root());
      for (const leaf of leaves.slice(cut)) carried.push(leaf);
      expect(carried.root().toString('hex'), `cut at ${cut}`).toBe(rootFromLeafHashes(leaves).toString('hex'));
    }
    expect(() => MerkleAccumulator.restore(5, [leaves[0]!])).toThrow(/5 leaves has 2 perfect subtrees, not 1/);
  });

  it('verifies a bundle as it streams, with the bundle keys or pinned ones', async () => {
    async function* asStream(lines: string[]) {
      for (const line of lines) yield line;
    }
    expect(await verifyAuditExportStream(asStream(bundle()))).toMatchObject({ ok: true, events: 10, sources: 2, checkpoints: 3, treeSize: 10, keyIds: ['k1'] });
    expect(await verifyAuditExportStream(bundle(), { trustedKeys: new Map([['k1', keys.publicKey]]) })).toMatchObject({ ok: true });
  });

  it('names what is wrong', async () => {
    const verify = (lines: string[]) => verifyAuditExportStream(lines);
    const altered = bundle(({ events }) => (events[5]!.body = events[5]!.body.replace('deny', 'allow')));
    expect(await verify(altered)).toMatchObject({ ok: false, sourceId: 'node-1', seq: 4, reason: expect.stringMatching(/node-1#4 was altered/) });

    const dropped = bundle(({ events }) => events.splice(4, 1));
    expect(await verify(dropped)).toMatchObject({ ok: false, reason: expect.stringMatching(/log position 4 is missing/) });

    const rewritten = bundle(({ checkpoints }) => (checkpoints[0] = signCheckpoint({ ...checkpoints[0]!, rootHash: 'ab'.repeat(32) }, privateKey)));
    expect(await verify(rewritten)).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint 3: the events up to it have Merkle root .* the log was rewritten/) });

    const forked = bundle(({ events }) => {
      const [a, b] = [events[1]!, events[2]!]; // two records of node-1, swapped in log order
      events[1] = { ...b, logIndex: 1 };
      events[2] = { ...a, logIndex: 2 };
    });
    expect(await verify(forked)).toMatchObject({ ok: false, reason: expect.stringMatching(/chain of node-1: record 2 follows record 0/) });

    const otherKey = generateEd25519KeyPair().publicKey;
    expect(await verifyAuditExportStream(bundle(), { trustedKeys: new Map([['k1', otherKey]]) })).toMatchObject({ ok: false, reason: 'line 3: checkpoint 3: signature does not verify' });

    const cut = bundle().slice(0, -3);
    expect(await verify(cut)).toMatchObject({ ok: false, reason: expect.stringMatching(/without its end line: it was cut short/) });

    const lines = bundle();
    const swappedKey = [...lines];
    swappedKey[1] = JSON.stringify({ signingKey: { keyId: 'k1', publicKey: otherKey.toString('base64') } });
    expect(await verify(swappedKey)).toMatchObject({ ok: false, reason: 'line 3: checkpoint 3: signature does not verify' });

    const extraLine = [...lines.slice(0, -1), lines[lines.length - 2]!, lines[lines.length - 1]!];
    expect(await verify(extraLine)).toMatchObject({ ok: false, reason: expect.stringMatching(/log position 10 is missing or out of order|more events than/) });

    const edited = [...lines];
    edited[0] = edited[0]!.replace('user:u1', 'user:u2'); // nothing checks requestedBy but the digest
    expect(await verify(edited)).toMatchObject({ ok: false, reason: 'the file does not match the digest of its end line' });

    const unreached = bundle(undefined, [3, 6, 10]).filter((line) => !line.includes('"logIndex":9,'));
    expect((await verify(unreached)).ok).toBe(false);
  });

  it('refuses malformed input with a message instead of throwing', async () => {
    const lines = bundle();
    for (const input of [[], ['not json'], ['[1]'], ['{"format":"meridian.audit-export.v2"}'], [lines[0]!, '{"event":{"sourceId":1}}'], [lines[0]!, '{"what":1}'], [...lines, lines[3]!]]) {
      const result = await verifyAuditExportStream(input);
      expect(result.ok, JSON.stringify(input).slice(0, 80)).toBe(false);
      expect(result.ok ? '' : result.reason).toMatch(/not an audit export|not JSON|not a JSON object|unsupported format|malformed|no known kind|after the end|before any checkpoint/);
    }
  });

  it('the writer knows the digest and size of the whole file it wrote, end line included', () => {
    const writer = new AuditExportWriter({ tenantId: 't1', exportedAt: 'x', requestedBy: null, treeSize: 1 });
    const events = log(1);
    const ranges = new MerkleRanges(events.map((e) => leafHash(logLeafBytes(e))));
    const checkpoint = signCheckpoint({ logId: 't1', treeSize: 1, rootHash: ranges.root(0, 1).toString('hex'), timestamp: 'x', keyId: 'k1' }, privateKey);
    const text = [writer.header(), writer.checkpoint(checkpoint), writer.event(events[0]!)].join('');
    expect(writer.fileSha256).toBeUndefined();
    const whole = text + writer.end();
    expect(writer.fileSha256).toBe(createHash('sha256').update(whole).digest('hex'));
    expect(writer.bytes).toBe(Buffer.byteLength(whole));
  });

  it('the writer refuses sections out of order', () => {
    const writer = new AuditExportWriter({ tenantId: 't1', exportedAt: 'x', requestedBy: null, treeSize: 0 });
    expect(() => writer.event(log(1)[0]!)).toThrow(/out of order/);
  });
});
