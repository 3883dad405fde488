import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendRecord, encodeEvent, verifyChain, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { writeFileAtomic } from './files';

export const JOURNAL_DIR = 'journal';
const LOG_FILE = 'journal.log';
const ACK_FILE = 'ack.json';

/** One record as a line of the journal file (JSON Lines). */
export function journalLine(record: ChainRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export class JournalCorrupted extends Error {}
export class JournalFull extends Error {}

interface Anchor {
  seq: number;
  hash: string;
}

interface AckState {
  /** Last record the control plane acknowledged. */
  acknowledged: Anchor | null;
  /** The record just before the first one still in the file (after compaction), to verify the chain from. */
  base: Anchor | null;
}

export interface JournalOptions {
  /** The file may not grow beyond this; unacknowledged events are never dropped to make room. */
  maxBytes: number;
  /**
   * Writes are grouped: one write + fsync per batch. 0: as soon as the event loop turns (records
   * of one turn, and all that arrive while an fsync is in progress, share the next one).
   */
  flushIntervalMs: number;
  /** Acknowledged records older than this are compacted away. */
  retentionMs: number;
}

/**
 * The agent's append-only, hash-chained audit journal. One JSON record per line, written in
 * fsync'd batches. On open the chain is verified from the last compaction anchor; a torn last line
 * (a crash in the middle of a write) is detected and cut, while damage anywhere else stops the agent
 * instead of being silently accepted. Records leave only once acknowledged by the control plane.
 * When the disk budget is exhausted the journal refuses new events (JournalFull): callers deny the
 * request rather than act without a record.
 */
export class Journal {
  private handle: FileHandle | undefined;
  private last: Anchor | null = null;
  private size = 0;
  private pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** A flush waiting behind the one in progress; it takes every record pending when it starts. */
  private queued: Promise<void> | undefined;
  private ack: AckState = { acknowledged: null, base: null };
  private count = 0;

  private constructor(
    private readonly dir: string,
    private readonly options: JournalOptions,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string, options: JournalOptions, logger: Logger): Promise<Journal> {
    const journal = new Journal(path.join(dataDir, JOURNAL_DIR), options, logger);
    await journal.recover();
    return journal;
  }

  get lastSeq(): number {
    return this.last?.seq ?? 0;
  }

  get acknowledgedSeq(): number {
    return this.ack.acknowledged?.seq ?? 0;
  }

  get pendingUpload(): number {
    return this.lastSeq - this.acknowledgedSeq;
  }

  get full(): boolean {
    return this.size >= this.options.maxBytes;
  }

  /** Appends an event; resolves once it is on disk (fsync'd with its batch). */
  append(event: AuditEvent): Promise<ChainRecord> {
    if (!this.handle) return Promise.reject(new Error('journal is closed'));
    const record = appendRecord(this.last ?? undefined, event);
    const line = journalLine(record);
    const bytes = Buffer.byteLength(line);
    if (this.size + bytes > this.options.maxBytes) {
      return Promise.reject(new JournalFull(`audit journal is full (${this.size} of ${this.options.maxBytes} bytes, ${this.pendingUpload} events not yet acknowledged)`));
    }
    this.last = { seq: record.seq, hash: record.hash };
    this.size += bytes;
    this.count += 1;
    return new Promise<ChainRecord>((resolve, reject) => {
      this.pending.push({ line, resolve: () => resolve(record), reject });
      this.timer ??= this.options.flushIntervalMs === 0 ? setImmediate(() => void this.flush()) : setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    });
  }

  /**
   * Writes every pending record with one write and one fsync (group commit): while one flush is in
   * progress, the records arriving meanwhile wait for the next, which takes them all at once.
   */
  flush(): Promise<void> {
    this.cancelTimer();
    if (this.pending.length === 0) return this.flushing;
    if (this.queued) return this.queued;
    const run = this.flushing.then(async () => {
      this.queued = undefined;
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      try {
        await this.handle!.write(batch.map((p) => p.line).join(''));
        await this.handle!.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
        this.logger.error({ err: String(error) }, 'audit journal write failed');
      }
    });
    this.queued = run;
    this.flushing = run;
    return run;
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    if (this.options.flushIntervalMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = undefined;
  }

  /** Records after the acknowledged one, oldest first, up to `limit`. */
  async unacknowledged(limit: number): Promise<ChainRecord[]> {
    await this.flush();
    const from = this.acknowledgedSeq;
    const out: ChainRecord[] = [];
    for (const record of await this.readRecords()) {
      if (record.seq > from) out.push(record);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Whether the journal holds a record of exactly this event (same body, byte for byte), acknowledged
   * or not: how a write-ahead event learns, after a crash, that it was journaled before the crash.
   * Reads the whole file, newest record first; meant for start-up, not for every event.
   */
  async includes(event: AuditEvent): Promise<boolean> {
    await this.flush();
    const body = encodeEvent(event);
    const records = await this.readRecords();
    for (let i = records.length - 1; i >= 0; i -= 1) if (records[i]!.body === body) return true;
    return false;
  }

  /** The control plane stored everything up to `anchor`. Persisted before anything is compacted. */
  async acknowledge(anchor: Anchor): Promise<void> {
    if (anchor.seq <= this.acknowledgedSeq) return;
    if (anchor.seq > this.lastSeq) throw new JournalCorrupted(`acknowledgement for record ${anchor.seq} beyond the journal (${this.lastSeq})`);
    this.ack = { ...this.ack, acknowledged: anchor };
    await writeFileAtomic(path.join(this.dir, ACK_FILE), JSON.stringify(this.ack));
  }

  /** Drops acknowledged records older than the retention period; never an unacknowledged one. */
  async compact(now = Date.now()): Promise<number> {
    await this.flush();
    const records = await this.readRecords();
    const acknowledged = this.acknowledgedSeq;
    const keepFrom = records.findIndex((r) => r.seq > acknowledged || Date.parse((JSON.parse(r.body) as AuditEvent).at) > now - this.options.retentionMs);
    const dropped = keepFrom === -1 ? records.length : keepFrom;
    if (dropped === 0) return 0;
    const base = records[dropped - 1]!;
    const kept = records.slice(dropped);
    const data = kept.map((r) => `${JSON.stringify(r)}\n`).join('');
    this.ack = { ...this.ack, base: { seq: base.seq, hash: base.hash } };
    await writeFileAtomic(path.join(this.dir, ACK_FILE), JSON.stringify(this.ack));
    await this.handle?.close();
    await writeFileAtomic(path.join(this.dir, LOG_FILE), data);
    this.handle = await fs.open(path.join(this.dir, LOG_FILE), 'a', 0o600);
    this.size = Buffer.byteLength(data);
    return dropped;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  private async recover(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      this.ack = JSON.parse(await fs.readFile(path.join(this.dir, ACK_FILE), 'utf8')) as AckState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new JournalCorrupted(`unreadable ${ACK_FILE}: ${(error as Error).message}`);
    }
    const file = path.join(this.dir, LOG_FILE);
    const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
    const lines = text.split('\n');
    const complete = text.endsWith('\n') || text === '' ? lines.slice(0, -1) : lines.slice(0, -1);
    const torn = text !== '' && !text.endsWith('\n') ? lines[lines.length - 1]! : '';
    const records: ChainRecord[] = [];
    let validBytes = 0;
    for (let i = 0; i < complete.length; i += 1) {
      const line = complete[i]!;
      let record: ChainRecord | undefined;
      try {
        record = JSON.parse(line) as ChainRecord;
      } catch {
        record = undefined;
      }
      const check = record ? verifyChain([record], records[records.length - 1] ?? this.ack.base ?? undefined) : { ok: false as const, seq: -1, reason: 'not a record' };
      if (!check.ok) {
        const isLast = i === complete.length - 1 && torn === '';
        if (!isLast) throw new JournalCorrupted(`audit journal damaged at line ${i + 1}: ${check.reason}; refusing to continue (inspect ${file})`);
        this.logger.warn({ line: i + 1, reason: check.reason }, 'cut a damaged last record of the audit journal');
        break;
      }
      records.push(record!);
      validBytes += Buffer.byteLength(line) + 1;
    }
    if (torn) this.logger.warn({ bytes: Buffer.byteLength(torn) }, 'cut a torn (incomplete) last record of the audit journal');
    if (validBytes < Buffer.byteLength(text)) await fs.truncate(file, validBytes).catch(() => undefined);
    this.handle = await fs.open(file, 'a', 0o600);
    const lastRecord = records[records.length - 1];
    this.last = lastRecord ? { seq: lastRecord.seq, hash: lastRecord.hash } : this.ack.base;
    this.size = validBytes;
    if (this.ack.acknowledged && this.ack.acknowledged.seq > this.lastSeq) {
      throw new JournalCorrupted(`journal ends at record ${this.lastSeq} but record ${this.ack.acknowledged.seq} was acknowledged: records were lost`);
    }
  }

  private async readRecords(): Promise<ChainRecord[]> {
    const text = await fs.readFile(path.join(this.dir, LOG_FILE), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ChainRecord);
  }
}
