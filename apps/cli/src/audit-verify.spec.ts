import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, AuditExportWriter, buildManifest, leafHash, logLeafBytes, MerkleRanges, signCheckpoint, type ChainRecord, type ExportedEvent } from '@meridian/audit';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { auditVerify } from './audit-verify';

const keys = generateEd25519KeyPair();
const publicKey = keys.publicKey.toString('base64');

/** A log of `size` events from two sources, checkpointed half-way and at the end; `rewritten`: that event's content differs (a history rewritten and signed again). */
function parts(size: number, rewritten?: number, logId = 't1') {
  const events: ExportedEvent[] = [];
  const heads = new Map<string, ChainRecord>();
  for (let i = 0; i < size; i += 1) {
    const sourceId = i % 2 ? 'node-1' : 'node-2';
    const record = appendRecord(heads.get(sourceId), { at: new Date(1_800_000_000_000 + i).toISOString(), type: 'model.inference', actor: `node:${sourceId}`, data: i === rewritten ? { i, rewritten: true } : { i } });
    heads.set(sourceId, record);
    events.push({ ...record, sourceId, logIndex: i });
  }
  const ranges = new MerkleRanges(events.map((e) => leafHash(logLeafBytes(e))));
  const checkpoints = [Math.floor(size / 2), size].map((treeSize) =>
    signCheckpoint({ logId, treeSize, rootHash: ranges.root(0, treeSize).toString('hex'), timestamp: '2026-12-02T00:00:00Z', keyId: 'k1' }, loadPrivateKey(keys.privateKeyPem)),
  );
  return { events, checkpoints, ranges };
}

function v3(size: number, rewritten?: number, logId = 't1'): string {
  const { events, checkpoints } = parts(size, rewritten, logId);
  const writer = new AuditExportWriter({ tenantId: logId, exportedAt: '2026-12-02T00:00:00Z', requestedBy: 'user:u1', treeSize: size });
  return [writer.header(), writer.signingKey({ keyId: 'k1', publicKey }), ...checkpoints.map((c) => writer.checkpoint(c)), ...events.map((e) => writer.event(e)), writer.end()].join('');
}

describe('meridian audit verify (CLI)', () => {
  let dir: string;
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await auditVerify(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };
  const write = async (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, content);
    return file;
  };
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-cli-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('verifies a v3 bundle, gzip\'d or not, streaming it, with pinned keys', async () => {
    const text = v3(20_000);
    for (const file of [await write('b.jsonl', text), await write('b.jsonl.gz', gzipSync(text))]) {
      const result = await run(file, '--trusted-key', `k1=${publicKey}`);
      expect(result, file).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 20000 events from 2 sources; 2 checkpoints up to tree size 20000, root [0-9a-f]{64}; signed by k1 \(pinned keys\)/) });
    }
  });

  it('fails with the record named (exit 1), and refuses what is not a bundle (exit 2)', async () => {
    const lines = v3(50).split('\n');
    lines[30] = lines[30]!.replace('\\"i\\":26', '\\"i\\":99');
    const tampered = await run(await write('t.jsonl.gz', gzipSync(lines.join('\n'))), '--json');
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, sourceId: 'node-2', logIndex: 26, reason: expect.stringMatching(/node-2#14 was altered/) });
    const cut = gzipSync(v3(50)).subarray(0, 400); // a download broken off
    const broken = await run(await write('cut.jsonl.gz', cut));
    expect(broken.code).toBeGreaterThan(0);
    expect(broken.stdout + broken.stderr).toMatch(/cut short|unexpected end|cannot read/);
    expect(await run(await write('x.txt', 'hello'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/neither a v3 bundle/) });
    expect((await run(path.join(dir, 'missing.jsonl'))).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('still verifies a v2 bundle (one JSON document) made before v3', async () => {
    const { events, checkpoints, ranges } = parts(10);
    const consistencyProofs = [{ fromTreeSize: 5, toTreeSize: 10, path: ranges.consistencyProof(5, 10).map((h) => h.toString('hex')) }];
    const body = { signingKeys: [{ keyId: 'k1', publicKey }], checkpoints, consistencyProofs, events };
    const bundle = { manifest: buildManifest(body, { tenantId: 't1', exportedAt: 'x', requestedBy: null }), ...body };
    expect(await run(await write('old.json', JSON.stringify(bundle)))).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 10 events/) });
  });
  it('checks with --since that a bundle extends an earlier one: nothing it held changed, went or moved', async () => {
    const earlier = await write('q3.jsonl.gz', gzipSync(v3(1000)));
    const later = await write('q4.jsonl.gz', gzipSync(v3(3000)));
    const extended = await run(later, '--since', earlier, '--trusted-key', `k1=${publicKey}`);
    expect(extended.code).toBe(0);
    expect(extended.stdout).toMatch(/^OK: 3000 events[^\n]*\nextends .*q3\.jsonl\.gz: the first 1000 events here hash to its newest signed root [0-9a-f]{64}\n$/);

    // The later bundle verifies on its own (the history was rewritten and signed again), but not as an extension.
    const rewritten = await write('q4-rewritten.jsonl.gz', gzipSync(v3(3000, 417)));
    expect((await run(rewritten)).code).toBe(0);
    const caught = await run(rewritten, '--since', earlier);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(/^FAILED: 3000 events[^\n]*\ndoes NOT extend .*q3\.jsonl\.gz: the first 1000 events here have Merkle root [0-9a-f]{64}, its newest checkpoint signed [0-9a-f]{64}: the log was rewritten between the two exports\n$/);
    // A change after the earlier bundle's end is no rewrite of what it held.
    expect((await run(await write('q4-later-change.jsonl.gz', gzipSync(v3(3000, 2500))), '--since', earlier)).code).toBe(0);

    const shorter = await run(await write('short.jsonl', v3(600)), '--since', earlier);
    expect(shorter).toMatchObject({ code: 1, stdout: expect.stringMatching(/does NOT extend .*: it holds 1000 events, this bundle only 600: the log lost events since/) });
    const otherLog = await run(await write('other.jsonl', v3(3000, undefined, 't2')), '--since', earlier);
    expect(otherLog).toMatchObject({ code: 1, stdout: expect.stringMatching(/does NOT extend .*: it is of another log \(t1, this one is t2\)/) });
    const brokenEarlier = await write('broken.jsonl', v3(1000).replace('\\"i\\":2}', '\\"i\\":5}'));
    expect(await run(later, '--since', brokenEarlier)).toMatchObject({ code: 1, stdout: expect.stringMatching(/does NOT extend .*: it does not verify itself: line \d+: event node-2#2 was altered/) });

    const json = JSON.parse((await run(later, '--since', earlier, '--json')).stdout);
    expect(json).toMatchObject({ ok: true, logId: 't1', treeSize: 3000, rootAt: { treeSize: 1000 }, since: { file: earlier, ok: true } });
    expect(json.format).toBeUndefined();
    expect(await run(later, '--since')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since expects the path of an earlier bundle/) });
  });
});
