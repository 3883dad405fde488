import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { appendRecord, GENESIS_HASH, recordHash, verifyChain, type AuditEvent, type ChainRecord } from './chain';
import { signCheckpoint, verifyCheckpoint } from './checkpoint';

const event = (i: number): AuditEvent => ({ at: `2026-11-25T00:00:0${i % 10}Z`, type: 'policy.decision', actor: 'node:n1', category: 'inspection_images', decision: i % 2 ? 'deny' : 'allow', data: { i } });

function chain(n: number): ChainRecord[] {
  const records: ChainRecord[] = [];
  for (let i = 0; i < n; i += 1) records.push(appendRecord(records[records.length - 1], event(i)));
  return records;
}

describe('hash chain', () => {
  it('links records and verifies', () => {
    const records = chain(5);
    expect(records[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(verifyChain(records.slice(2), records[1])).toEqual({ ok: true });
  });

  it('encodes canonically: key order does not change the hash', () => {
    const a = appendRecord(undefined, { type: 't', actor: 'a', at: 'x', data: { b: 1, a: 2 } });
    const b = appendRecord(undefined, { at: 'x', actor: 'a', type: 't', data: { a: 2, b: 1 } });
    expect(a.hash).toBe(b.hash);
  });

  it('names the record that was altered, reordered, dropped or forked', () => {
    const records = chain(6);
    const altered = records.map((r) => ({ ...r }));
    altered[3]!.body = altered[3]!.body.replace('"deny"', '"allow"');
    expect(verifyChain(altered)).toMatchObject({ ok: false, seq: 4, reason: expect.stringMatching(/altered/) });
    expect(verifyChain([records[0]!, records[2]!])).toMatchObject({ ok: false, seq: 3, reason: expect.stringMatching(/gap/) });
    expect(verifyChain([records[0]!, records[1]!, records[1]!])).toMatchObject({ ok: false, seq: 2, reason: expect.stringMatching(/repeats/) });
    const fork = appendRecord({ seq: 2, hash: 'f'.repeat(64) }, event(9));
    expect(verifyChain([...records.slice(0, 3), { ...fork, seq: 4 }])).toMatchObject({ ok: false, seq: 4, reason: expect.stringMatching(/fork/) });
    expect(verifyChain(records.slice(3), records[1])).toMatchObject({ ok: false, reason: expect.stringMatching(/gap/) });
  });
});

describe('checkpoints', () => {
  it('sign and verify, and any change breaks them', () => {
    const pair = generateEd25519KeyPair();
    const checkpoint = signCheckpoint({ logId: 'tenant-1', treeSize: 42, rootHash: 'ab'.repeat(32), timestamp: '2026-11-25T00:00:00Z', keyId: 'tsk_1' }, loadPrivateKey(pair.privateKeyPem));
    expect(verifyCheckpoint(checkpoint, pair.publicKey)).toBe(true);
    expect(verifyCheckpoint({ ...checkpoint, treeSize: 43 }, pair.publicKey)).toBe(false);
    expect(verifyCheckpoint(checkpoint, generateEd25519KeyPair().publicKey)).toBe(false);
  });
});

describe('recordHash', () => {
  // The definition, spelled out as the format documents it.
  const definition = (prevHash: string, seq: number, body: string) => {
    const seqBytes = Buffer.alloc(8);
    seqBytes.writeBigUInt64BE(BigInt(seq));
    return createHash('sha256').update('meridian.audit.v1\u0000').update(Buffer.from(prevHash, 'hex')).update(seqBytes).update(body, 'utf8').digest('hex');
  };

  it('equals its definition, for well-formed and malformed previous hashes and any body', () => {
    const bodies = ['', '{}', '{"type":"x","data":{"text":"żółw 🐢 \\u0000"}}', 'x'.repeat(70_000)];
    const prevHashes = [GENESIS_HASH, randomBytes(32).toString('hex'), randomBytes(32).toString('hex').toUpperCase(), 'abc', 'zz' + '0'.repeat(62), ''];
    for (const body of bodies) for (const prevHash of prevHashes) for (const seq of [1, 2 ** 40 + 3]) expect(recordHash(prevHash, seq, body)).toBe(definition(prevHash, seq, body));
  });
});
