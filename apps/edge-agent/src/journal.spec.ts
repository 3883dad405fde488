import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendRecord, verifyChain, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { Journal, JOURNAL_DIR, JournalCorrupted, JournalFull, journalLine, readJournal } from './journal';

const logger = pino({ level: 'silent' });
const options = { maxBytes: 1_000_000, flushIntervalMs: 5, retentionMs: 24 * 3600_000 };
const event = (i: number, at = new Date().toISOString()): AuditEvent => ({ at, type: 'policy.decision', actor: 'node:n1', category: 'inspection_images', decision: 'deny', data: { i } });
const segmentFiles = async (dir: string) => (await fs.readdir(path.join(dir, JOURNAL_DIR))).filter((name) => name.startsWith('segment-')).sort().map((name) => path.join(dir, JOURNAL_DIR, name));
/** The segment being written (the last one). */
const logFile = async (dir: string) => (await segmentFiles(dir)).at(-1)!;
const readAll = (dir: string) => readJournal(dir);

describe('agent audit journal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-journal-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('appends a hash chain in fsyncd batches and continues it after a restart', async () => {
    const journal = await Journal.open(dir, options, logger);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(event(i))));
    await journal.close();
    const reopened = await Journal.open(dir, options, logger);
    expect(reopened.lastSeq).toBe(50);
    await reopened.append(event(50));
    await reopened.close();
    const records = await readAll(dir);
    expect(records).toHaveLength(51);
    expect(verifyChain(records)).toEqual({ ok: true });
  });

  it('finds an exact event among its records, acknowledged or not, after a restart', async () => {
    const journal = await Journal.open(dir, options, logger);
    const at = '2026-12-02T08:00:00.000Z';
    await journal.append(event(1, at));
    const last = await journal.append(event(2, at));
    await journal.acknowledge({ seq: 1, hash: (await readAll(dir))[0]!.hash });
    await journal.close();
    const reopened = await Journal.open(dir, options, logger);
    expect(await reopened.includes(event(1, at))).toBe(true);
    expect(await reopened.includes({ ...event(2, at), data: { i: 2 } })).toBe(true);
    expect(await reopened.includes(event(2, '2026-12-02T08:00:00.001Z'))).toBe(false);
    expect(await reopened.includes(event(3, at))).toBe(false);
    expect(last.seq).toBe(2);
    await reopened.close();
  });

  it('commits in groups: records arriving while an fsync is in progress share the next one', async () => {
    const journal = await Journal.open(dir, { ...options, flushIntervalMs: 0 }, logger);
    // Hold the first fsync on the real file until released, counting every fsync.
    const probe = await fs.open(path.join(dir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = fileHandle.datasync;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const spy = vi.spyOn(fileHandle, 'datasync').mockImplementation(async function (this: unknown) {
      calls += 1;
      if (calls === 1) await held;
      return datasync.call(this);
    });
    try {
      const first = journal.append(event(0));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls).toBe(1); // flushed on the next turn, without waiting for an interval
      const later: Promise<ChainRecord>[] = [];
      for (let turn = 1; turn <= 5; turn += 1) {
        later.push(journal.append(event(turn)), journal.append(event(turn + 100)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      await first;
      await Promise.all(later);
      expect(calls).toBe(2); // ten records from five turns: one fsync
      await journal.close();
      expect(calls).toBe(2);
      const records = await readAll(dir);
      expect(records).toHaveLength(11);
      expect(verifyChain(records)).toEqual({ ok: true });
    } finally {
      spy.mockRestore();
    }
  });

  it('detects and cuts a torn last record', async () => {
    const journal = await Journal.open(dir, options, logger);
    for (let i = 0; i < 5; i += 1) await journal.append(event(i));
    await journal.close();
    const file = await logFile(dir);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, `${text}{"seq":6,"prevHash":"ab`); // crash in the middle of a write
    const reopened = await Journal.open(dir, options, logger);
    expect(reopened.lastSeq).toBe(5);
    await reopened.append(event(5));
    await reopened.close();
    expect(verifyChain(await readAll(dir))).toEqual({ ok: true });
  });

  it('refuses to start on damage before the tail instead of accepting it', async () => {
    const journal = await Journal.open(dir, options, logger);
    for (let i = 0; i < 5; i += 1) await journal.append(event(i));
    await journal.close();
    const file = await logFile(dir);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace('deny', 'DENY');
    expect(lines[2]).toContain('DENY');
    await fs.writeFile(file, lines.join('\n'));
    await expect(Journal.open(dir, options, logger)).rejects.toThrow(JournalCorrupted);
  });

  it('hands out unacknowledged records and never compacts them away', async () => {
    // One segment per record here (each append is flushed alone), so compaction can go record by record.
    const journal = await Journal.open(dir, { ...options, retentionMs: 0, segmentBytes: 1 }, logger);
    const old = new Date(Date.now() - 3600_000).toISOString();
    for (let i = 0; i < 10; i += 1) await journal.append(event(i, old));
    const batch = await journal.unacknowledged(4);
    expect(batch.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    await journal.acknowledge({ seq: 4, hash: batch[3]!.hash });
    expect(await journal.compact()).toBe(4);
    expect((await journal.unacknowledged(100)).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    await journal.close();
    // the chain still verifies from the compaction anchor, across a restart
    const reopened = await Journal.open(dir, options, logger);
    expect(reopened).toMatchObject({ lastSeq: 10, acknowledgedSeq: 4 });
    await reopened.append(event(10));
    expect((await reopened.unacknowledged(100)).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    await reopened.close();
  });

  it('refuses new events when the disk budget is spent by unacknowledged ones, and resumes after upload', async () => {
    const journal = await Journal.open(dir, { ...options, maxBytes: 2_000, retentionMs: 0 }, logger);
    let written = 0;
    let refusal: unknown;
    for (let i = 0; i < 100 && !refusal; i += 1) {
      try {
        await journal.append(event(i, new Date(0).toISOString()));
        written += 1;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(JournalFull);
    expect(written).toBeGreaterThan(3);
    expect(journal.full || journal.pendingUpload === written).toBe(true);
    // nothing was dropped to make room
    expect((await journal.unacknowledged(1000)).length).toBe(written);
    const all = await journal.unacknowledged(1000);
    await journal.acknowledge({ seq: all[all.length - 1]!.seq, hash: all[all.length - 1]!.hash });
    await journal.compact();
    await expect(journal.append(event(999))).resolves.toMatchObject({ seq: written + 1 });
    await journal.close();
  });
  it('reads the next batch from where the acknowledged record ends, across segments and restarts', async () => {
    const small = { ...options, segmentBytes: 2_000 }; // about eight records per segment
    const appendThrees = async (j: Journal, from: number, count: number) => {
      for (let i = from; i < from + count; i += 3) await Promise.all(Array.from({ length: Math.min(3, from + count - i) }, (_, k) => j.append(event(i + k))));
    };
    const journal = await Journal.open(dir, small, logger);
    await appendThrees(journal, 0, 100);
    await journal.close();
    let reopened = await Journal.open(dir, small, logger);
    await appendThrees(reopened, 100, 100);
    expect((await segmentFiles(dir)).length).toBeGreaterThan(10);
    const seen: number[] = [];
    for (let round = 0; seen.length < 200; round += 1) {
      const batch = await reopened.unacknowledged(7 + round); // batch edges fall anywhere in the segments
      expect(batch[0]!.seq).toBe(seen.length + 1);
      seen.push(...batch.map((r) => r.seq));
      // acknowledged without having read it through this journal: the position is found by reading forward
      if (round === 3) {
        await reopened.close();
        reopened = await Journal.open(dir, small, logger);
      }
      await reopened.acknowledge({ seq: batch.at(-1)!.seq, hash: batch.at(-1)!.hash });
      if (round === 5) {
        await reopened.close();
        reopened = await Journal.open(dir, small, logger); // the cursor is recovered from ack.json
      }
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await reopened.unacknowledged(10)).toEqual([]);
    await reopened.close();
    expect(verifyChain(await readAll(dir))).toEqual({ ok: true });
  });

  it('sends records again when the control plane lost what it acknowledged, if it still holds them and they link to its head', async () => {
    // Segments of a few records each, so the rewind lands inside an earlier segment than the cursor's.
    const small = { ...options, segmentBytes: 1_200, retentionMs: 0 };
    const old = new Date(Date.now() - 3600_000).toISOString();
    const journal = await Journal.open(dir, small, logger);
    for (let i = 0; i < 30; i += 1) await journal.append(event(i, old));
    const all = await journal.unacknowledged(100);
    await journal.acknowledge({ seq: 25, hash: all[24]!.hash });
    expect((await segmentFiles(dir)).length).toBeGreaterThan(3);

    // Not behind what was acknowledged, or not this chain's record: nothing changes.
    expect(await journal.rewind({ seq: 25, hash: all[24]!.hash })).toBe(false);
    expect(await journal.rewind({ seq: 9, hash: all[10]!.hash })).toBe(false);
    expect(journal.acknowledgedSeq).toBe(25);

    // Back to the very start: seq 0 and the zero hash the chain begins from.
    expect(await journal.rewind({ seq: 0, hash: all[9]!.prevHash })).toBe(false);
    expect(await journal.rewind({ seq: 0, hash: all[0]!.prevHash })).toBe(true);
    expect((await journal.unacknowledged(3)).map((r) => r.seq)).toEqual([1, 2, 3]);
    await journal.acknowledge({ seq: 25, hash: all[24]!.hash });

    expect(await journal.rewind({ seq: 9, hash: all[8]!.hash })).toBe(true);
    expect(journal).toMatchObject({ acknowledgedSeq: 9, pendingUpload: 21 });
    expect((await journal.unacknowledged(100)).map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 10));
    // compaction keeps them now that they are unacknowledged again, and the rewind survives a restart
    await journal.compact();
    await journal.close();
    const reopened = await Journal.open(dir, small, logger);
    expect(reopened.acknowledgedSeq).toBe(9);
    expect((await reopened.unacknowledged(5)).map((r) => r.seq)).toEqual([10, 11, 12, 13, 14]);

    // Records compacted away cannot be sent again.
    await reopened.acknowledge({ seq: 20, hash: all[19]!.hash });
    expect(await reopened.compact()).toBeGreaterThan(0);
    expect(await reopened.rewind({ seq: 2, hash: all[1]!.hash })).toBe(false);
    expect(reopened.acknowledgedSeq).toBe(20);
    await reopened.close();
  });

  it('never fills up with records the control plane already holds: over 3/4 of maxBytes they go before their retention ends', async () => {
    // A busy node with a long retention period: ten times its disk budget, uploaded as it goes.
    const journal = await Journal.open(dir, { ...options, maxBytes: 40_000, retentionMs: 30 * 86_400_000 }, logger);
    for (let i = 0; i < 2_000; i += 1) {
      await journal.append(event(i)); // would throw JournalFull if acknowledged records stayed
      if (i % 20 === 19) {
        const batch = await journal.unacknowledged(1_000);
        await journal.acknowledge({ seq: batch.at(-1)!.seq, hash: batch.at(-1)!.hash });
      }
    }
    expect(journal.full).toBe(false);
    const kept = await readAll(dir);
    const bytes = (await Promise.all((await segmentFiles(dir)).map((f) => fs.stat(f)))).reduce((sum, st) => sum + st.size, 0);
    expect(bytes).toBeLessThanOrEqual(40_000);
    expect(kept.at(-1)!.seq).toBe(2_000);
    expect(kept.length).toBeGreaterThan(20); // the newest records stay, acknowledged or not
    await journal.close();
    const reopened = await Journal.open(dir, { ...options, maxBytes: 40_000 }, logger);
    expect(reopened).toMatchObject({ lastSeq: 2_000, acknowledgedSeq: 2_000 });
    await reopened.close();
  });

  it('takes over a journal written as one file before segments, and continues its chain', async () => {
    const records: ChainRecord[] = [];
    for (let i = 0; i < 5; i += 1) records.push(appendRecord(records.at(-1), event(i)));
    await fs.mkdir(path.join(dir, JOURNAL_DIR), { recursive: true });
    await fs.writeFile(path.join(dir, JOURNAL_DIR, 'journal.log'), records.map(journalLine).join(''));
    await fs.writeFile(path.join(dir, JOURNAL_DIR, 'ack.json'), JSON.stringify({ acknowledged: { seq: 2, hash: records[1]!.hash }, base: null }));
    const journal = await Journal.open(dir, options, logger);
    expect(journal).toMatchObject({ lastSeq: 5, acknowledgedSeq: 2 });
    expect((await journal.unacknowledged(10)).map((r) => r.seq)).toEqual([3, 4, 5]);
    await journal.append(event(5));
    await journal.close();
    await expect(fs.stat(path.join(dir, JOURNAL_DIR, 'journal.log'))).rejects.toMatchObject({ code: 'ENOENT' });
    const all = await readAll(dir);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(verifyChain(all)).toEqual({ ok: true });
  });

  it('finishes a compaction a crash interrupted, and refuses damage in an older segment', async () => {
    const small = { ...options, retentionMs: 0, segmentBytes: 1 };
    const journal = await Journal.open(dir, small, logger);
    for (let i = 0; i < 6; i += 1) await journal.append(event(i, new Date(0).toISOString()));
    const batch = await journal.unacknowledged(3);
    await journal.acknowledge({ seq: 3, hash: batch[2]!.hash });
    await journal.close();
    // The compaction wrote its new base, then the agent died before deleting the segments.
    const ack = JSON.parse(await fs.readFile(path.join(dir, JOURNAL_DIR, 'ack.json'), 'utf8')) as { base: unknown };
    await fs.writeFile(path.join(dir, JOURNAL_DIR, 'ack.json'), JSON.stringify({ ...ack, base: { seq: 3, hash: batch[2]!.hash } }));
    const reopened = await Journal.open(dir, small, logger);
    expect(reopened).toMatchObject({ lastSeq: 6, acknowledgedSeq: 3 });
    expect((await readAll(dir)).map((r) => r.seq)).toEqual([4, 5, 6]);
    await reopened.close();
    // damage in a segment that is not the last: not a torn write, so the agent stops
    const files = await segmentFiles(dir);
    const text = await fs.readFile(files[0]!, 'utf8');
    await fs.writeFile(files[0]!, text.replace('deny', 'DENY'));
    await expect(Journal.open(dir, small, logger)).rejects.toThrow(JournalCorrupted);
  });
  it('keeps its chain whole when a write fails (disk full): the failed records are refused, the next ones continue from the last durable one', async () => {
    const journal = await Journal.open(dir, options, logger);
    for (let i = 0; i < 3; i += 1) await journal.append(event(i));
    const probe = await fs.open(path.join(dir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const write = fileHandle.write;
    // The disk takes half of the next write, then reports it full.
    const spy = vi.spyOn(fileHandle, 'write').mockImplementationOnce(async function (this: { write: typeof write }, data: unknown) {
      await write.call(this, String(data).slice(0, 100));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    try {
      const failed = await Promise.allSettled([journal.append(event(3)), journal.append(event(4))]);
      expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    } finally {
      spy.mockRestore();
    }
    expect(journal.lastSeq).toBe(3);
    await expect(journal.append(event(5))).resolves.toMatchObject({ seq: 4 });
    await journal.close();
    const reopened = await Journal.open(dir, options, logger); // no damage to cut, nothing refused
    expect(reopened.lastSeq).toBe(4);
    await reopened.close();
    const records = await readAll(dir);
    expect(records.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i)).toEqual([0, 1, 2, 5]);
    expect(verifyChain(records)).toEqual({ ok: true });
  });
});
