import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendRecord, encodeEvent, verifyChain, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { syncDirectory, writeFileAtomic } from './files';
import { fileLines } from './journal-lines';

export const JOURNAL_DIR = 'journal';
/** The single file journals were kept in before segments; taken over as the first segment on open. */
const LEGACY_LOG_FILE = 'journal.log';
const ACK_FILE = 'ack.json';
const SEGMENT_FILE = /^segment-(\d{16})\.log$/;
const segmentFile = (firstSeq: number) => `segment-${String(firstSeq).padStart(16, '0')}.log`;
const MIN_SEGMENT_BYTES = 4 * 1024;
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Above this share of maxBytes, acknowledged records go before their retention period ends. */
const PRESSURE_SHARE = 0.75;

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
  /** The record just before the first one still on disk (after compaction), to verify the chain from. */
  base: Anchor | null;
}

/** One file of the journal: consecutive records from firstSeq. */
interface Segment {
  file: string;
  firstSeq: number;
  /** Its newest record written; null while it has none. */
  last: Anchor | null;
  /** Event time of its newest record (ms), for retention. */
  lastAt: number;
  /** Bytes written and fsync'd. */
  bytes: number;
}

/** Where a record starts: a segment and a byte offset in it. */
interface Position {
  segment: Segment;
  offset: number;
}

export interface JournalOptions {
  /**
   * The journal may not grow beyond this. Unacknowledged events are never dropped to make room;
   * acknowledged ones are, oldest first, once the journal is over three quarters of it.
   */
  maxBytes: number;
  /**
   * Writes are grouped: one write + fsync per batch. 0: as soon as the event loop turns (records
   * of one turn, and all that arrive while an fsync is in progress, share the next one).
   */
  flushIntervalMs: number;
  /** Acknowledged records are kept at least this long, unless the journal needs the room (see maxBytes). */
  retentionMs: number;
  /** Size at which a segment is closed and the next begins; default maxBytes / 16 within 4 KiB..64 MiB, never over maxBytes / 4. */
  segmentBytes?: number;
}

/**
 * The agent's append-only, hash-chained audit journal: JSON records, one per line, written in
 * fsync'd batches to segment files of bounded size. On open the chain is verified from the last
 * compaction anchor; a torn last line (a crash in the middle of a write) is detected and cut, while
 * damage anywhere else stops the agent instead of being silently accepted. Records leave only once
 * acknowledged by the control plane, a whole segment at a time, so compaction deletes files instead
 * of rewriting the journal, and reading the next upload batch starts where the last acknowledged
 * record ends instead of reading the journal from its start. When the disk budget is exhausted by
 * unacknowledged records the journal refuses new events (JournalFull): callers deny the request
 * rather than act without a record.
 */
export class Journal {
  private handle: FileHandle | undefined;
  private segments: Segment[] = [];
  private last: Anchor | null = null;
  /** Bytes on disk plus bytes accepted and waiting for the next flush. */
  private size = 0;
  private pending: { line: string; seq: number; hash: string; at: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** A flush waiting behind the one in progress; it takes every record pending when it starts. */
  private queued: Promise<void> | undefined;
  private compacting: Promise<unknown> = Promise.resolve();
  private ack: AckState = { acknowledged: null, base: null };
  /** Where the first unacknowledged record starts. */
  private cursor: Position | undefined;
  /** Where the record after each of the last batch read ends, so acknowledging it needs no search. */
  private readAhead = new Map<number, Position>();
  private readonly segmentBytes: number;
  private warnedPressure = false;

  private constructor(
    private readonly dir: string,
    private readonly options: JournalOptions,
    private readonly logger: Logger,
  ) {
    // Several segments fit in maxBytes whatever it is, so acknowledged ones can always make room.
    const fitting = Math.max(1, Math.floor(options.maxBytes / 4));
    this.segmentBytes = Math.min(options.segmentBytes ?? Math.min(MAX_SEGMENT_BYTES, Math.max(MIN_SEGMENT_BYTES, Math.floor(options.maxBytes / 16))), fitting);
  }

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
    return new Promise<ChainRecord>((resolve, reject) => {
      this.pending.push({ line, seq: record.seq, hash: record.hash, at: event.at, resolve: () => resolve(record), reject });
      this.timer ??= this.options.flushIntervalMs === 0 ? setImmediate(() => void this.flush()) : setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    });
  }

  /**
   * Writes every pending record with one write and one fsync (group commit): while one flush is in
   * progress, the records arriving meanwhile wait for the next, which takes them all at once. A
   * segment that has reached its size is closed after the write and the next one begun.
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
      const segment = this.activeSegment();
      try {
        const data = batch.map((p) => p.line).join('');
        await this.handle!.write(data);
        await this.handle!.datasync();
        const newest = batch[batch.length - 1]!;
        segment.bytes += Buffer.byteLength(data);
        segment.last = { seq: newest.seq, hash: newest.hash };
        segment.lastAt = Date.parse(newest.at);
        for (const p of batch) p.resolve();
      } catch (error) {
        // Nothing of this batch is kept, nor of the records chained onto it meanwhile: the segment goes
        // back to its last durable record and the chain continues from there, so a full or failing disk
        // costs the requests of the moment (denied without a record) and never a broken chain.
        const dropped = [...batch, ...this.pending];
        this.pending = [];
        this.cancelTimer();
        await this.handle!.truncate(segment.bytes).catch(() => undefined);
        this.last = segment.last ?? this.anchorBefore(segment);
        this.size = this.segments.reduce((sum, s) => sum + s.bytes, 0);
        for (const p of dropped) p.reject(error);
        this.logger.error({ err: String(error), records: dropped.length }, 'audit journal write failed; those records were not kept');
        return;
      }
      if (segment.bytes >= this.segmentBytes) {
        await this.beginSegment(segment.last!.seq + 1).catch((error: unknown) => this.logger.error({ err: String(error) }, 'cannot begin a new audit journal segment; the current one grows'));
      }
    });
    this.queued = run;
    this.flushing = run;
    return run;
  }

  /** Records after the acknowledged one, oldest first, up to `limit`. Reads only those, whatever the journal's size. */
  async unacknowledged(limit: number): Promise<ChainRecord[]> {
    await this.flush();
    this.readAhead.clear();
    const out: ChainRecord[] = [];
    if (this.pendingUpload <= 0 || limit <= 0) return out;
    for await (const { record, segment, end } of this.recordsAfterCursor()) {
      out.push(record);
      this.readAhead.set(record.seq, { segment, offset: end });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Whether the journal holds a record of exactly this event (same body, byte for byte), acknowledged
   * or not: how a write-ahead event learns, after a crash, that it was journaled before the crash.
   * Reads the segments newest first until it finds it; meant for start-up, not for every event.
   */
  async includes(event: AuditEvent): Promise<boolean> {
    await this.flush();
    const body = encodeEvent(event);
    const quoted = JSON.stringify(body);
    for (const segment of [...this.segments].reverse()) {
      try {
        for await (const line of fileLines(segment.file, 0, segment.bytes)) {
          if (line.text.includes(quoted) && (JSON.parse(line.text) as ChainRecord).body === body) return true;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // compacted away meanwhile
      }
    }
    return false;
  }

  /** The control plane stored everything up to `anchor`. Persisted before anything is compacted. */
  async acknowledge(anchor: Anchor): Promise<void> {
    if (anchor.seq <= this.acknowledgedSeq) return;
    if (anchor.seq > this.lastSeq) throw new JournalCorrupted(`acknowledgement for record ${anchor.seq} beyond the journal (${this.lastSeq})`);
    const next = this.readAhead.get(anchor.seq) ?? (await this.positionAfter(anchor.seq));
    this.ack = { ...this.ack, acknowledged: anchor };
    await writeFileAtomic(path.join(this.dir, ACK_FILE), JSON.stringify(this.ack));
    this.cursor = next;
    if (this.size > this.options.maxBytes * PRESSURE_SHARE) await this.compact();
  }

  /**
   * The control plane lost records it had acknowledged (its store restored from a backup, a failover
   * that lost commits) and asks for those after `anchor` again. Moves the acknowledgement back to
   * `anchor` when the journal still holds the record after it and that record links to it; returns
   * false and changes nothing when it cannot (compacted away, or not this chain's record).
   * Serialised with compaction, which then keeps those records until they are acknowledged again.
   */
  rewind(anchor: Anchor): Promise<boolean> {
    const run = this.compacting.then(() => this.rewindNow(anchor));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  private async rewindNow(anchor: Anchor): Promise<boolean> {
    await this.flush();
    if (!Number.isSafeInteger(anchor.seq) || anchor.seq < 0 || anchor.seq >= this.acknowledgedSeq) return false;
    const wanted = anchor.seq + 1;
    let segment: Segment | undefined;
    for (const candidate of this.segments) if (candidate.firstSeq <= wanted) segment = candidate;
    if (!segment) return false;
    let start = 0;
    for await (const line of fileLines(segment.file, 0, segment.bytes)) {
      const record = JSON.parse(line.text) as ChainRecord;
      if (record.seq > wanted) return false;
      if (record.seq === wanted) {
        if (record.prevHash !== anchor.hash) return false;
        this.ack = { ...this.ack, acknowledged: anchor.seq === 0 ? null : anchor };
        await writeFileAtomic(path.join(this.dir, ACK_FILE), JSON.stringify(this.ack));
        this.cursor = { segment, offset: start };
        this.readAhead.clear();
        return true;
      }
      start = line.end;
    }
    return false;
  }

  /**
   * Deletes whole segments (never the one being written) whose records are all acknowledged and
   * either older than the retention period or needed for room (the journal is over three quarters
   * of maxBytes). Returns how many records went.
   */
  compact(now = Date.now()): Promise<number> {
    const run = this.compacting.then(() => this.compactNow(now));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.compacting;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async compactNow(now: number): Promise<number> {
    const cutoff = now - this.options.retentionMs;
    const pressure = this.options.maxBytes * PRESSURE_SHARE;
    const acknowledged = this.acknowledgedSeq;
    const doomed: Segment[] = [];
    let size = this.size;
    let early = false;
    for (const segment of this.segments.slice(0, -1)) {
      if (!segment.last || segment.last.seq > acknowledged) break;
      const expired = segment.lastAt <= cutoff;
      if (!expired && size <= pressure) break;
      early ||= !expired;
      doomed.push(segment);
      size -= segment.bytes;
    }
    if (doomed.length === 0) return 0;
    const base = doomed[doomed.length - 1]!.last!;
    // The new base first: a crash before the files are gone leaves segments the next open deletes.
    this.ack = { ...this.ack, base };
    await writeFileAtomic(path.join(this.dir, ACK_FILE), JSON.stringify(this.ack));
    for (const segment of doomed) await fs.rm(segment.file, { force: true });
    this.segments = this.segments.filter((s) => !doomed.includes(s));
    const bytes = doomed.reduce((sum, s) => sum + s.bytes, 0);
    this.size -= bytes;
    if (this.cursor && doomed.includes(this.cursor.segment)) this.cursor = undefined;
    if (early && !this.warnedPressure) {
      this.warnedPressure = true;
      this.logger.warn({ maxBytes: this.options.maxBytes, droppedBytes: bytes }, 'audit journal over 3/4 of its size limit: acknowledged records dropped before their retention period (the control plane holds them)');
    }
    return base.seq - doomed[0]!.firstSeq + 1;
  }

  /** The newest record before a segment: its predecessor's last, or the compaction anchor. */
  private anchorBefore(segment: Segment): Anchor | null {
    const index = this.segments.indexOf(segment);
    for (let i = index - 1; i >= 0; i -= 1) if (this.segments[i]!.last) return this.segments[i]!.last;
    return this.ack.base;
  }

  private activeSegment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Closes the segment being written and begins one whose first record will be `firstSeq`. */
  private async beginSegment(firstSeq: number): Promise<void> {
    const file = path.join(this.dir, segmentFile(firstSeq));
    const handle = await fs.open(file, 'a', 0o600);
    await syncDirectory(this.dir); // the new file survives a crash before its first record does
    const previous = this.handle;
    this.handle = handle;
    this.segments.push({ file, firstSeq, last: null, lastAt: 0, bytes: 0 });
    await previous?.close();
  }

  /** The first unacknowledged record's position (the start of the journal when nothing is acknowledged). */
  private cursorPosition(): Position {
    let position = this.cursor ?? { segment: this.segments[0]!, offset: 0 };
    // A segment read to its end continues in the next one.
    for (let i = this.segments.indexOf(position.segment); i >= 0 && i < this.segments.length - 1 && position.offset >= position.segment.bytes; i += 1) {
      position = { segment: this.segments[i + 1]!, offset: 0 };
    }
    if (!this.segments.includes(position.segment)) position = { segment: this.segments[0]!, offset: 0 };
    this.cursor = position;
    return position;
  }

  /** Where the record after `seq` starts, found by reading forward from the cursor (acknowledgements of a batch not read through unacknowledged()). */
  private async positionAfter(seq: number): Promise<Position> {
    await this.flush();
    const endsBefore = (segment: Segment) => segment.last != null && segment.last.seq < seq;
    for await (const { record, segment, end } of this.recordsAfterCursor(endsBefore)) {
      if (record.seq === seq) return { segment, offset: end };
    }
    throw new JournalCorrupted(`record ${seq} is not in the journal`);
  }

  /**
   * The records after the cursor, oldest first, each with its segment and the offset where the next
   * one starts; segments `skip` names are passed over unread.
   */
  private async *recordsAfterCursor(skip?: (segment: Segment) => boolean): AsyncGenerator<{ record: ChainRecord; segment: Segment; end: number }> {
    const start = this.cursorPosition();
    for (let i = this.segments.indexOf(start.segment); i < this.segments.length; i += 1) {
      const segment = this.segments[i]!;
      if (skip?.(segment)) continue;
      for await (const line of fileLines(segment.file, segment === start.segment ? start.offset : 0, segment.bytes)) {
        yield { record: JSON.parse(line.text) as ChainRecord, segment, end: line.end };
      }
    }
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    if (this.options.flushIntervalMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = undefined;
  }

  private async recover(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      this.ack = JSON.parse(await fs.readFile(path.join(this.dir, ACK_FILE), 'utf8')) as AckState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new JournalCorrupted(`unreadable ${ACK_FILE}: ${(error as Error).message}`);
    }
    let files = await this.segmentFiles();
    if (files.length === 0) await this.adoptLegacyFile();
    files = await this.segmentFiles();
    // A crash during compaction leaves segments wholly before the base (the next one starts at or before base + 1).
    const baseSeq = this.ack.base?.seq ?? 0;
    while (files.length > 1 && files[1]!.firstSeq <= baseSeq + 1) {
      await fs.rm(files.shift()!.file, { force: true });
    }
    let previous: Anchor | null = this.ack.base;
    for (const [index, { file, firstSeq }] of files.entries()) {
      const isLast = index === files.length - 1;
      const segment: Segment = { file, firstSeq, last: null, lastAt: 0, bytes: 0 };
      if (firstSeq !== (previous?.seq ?? 0) + 1) throw new JournalCorrupted(`audit journal segment ${path.basename(file)} does not follow record ${previous?.seq ?? 0}; refusing to continue (inspect ${this.dir})`);
      let damage: { line: number; reason: string; start: number } | undefined;
      let newestBody: string | undefined;
      let lineNumber = 0;
      for await (const line of fileLines(file)) {
        lineNumber += 1;
        if (damage) throw new JournalCorrupted(`audit journal damaged at line ${damage.line} of ${path.basename(file)}: ${damage.reason}; refusing to continue (inspect ${file})`);
        let record: ChainRecord | undefined;
        try {
          record = line.torn ? undefined : (JSON.parse(line.text) as ChainRecord);
        } catch {
          record = undefined;
        }
        const check = record ? verifyChain([record], previous ?? undefined) : { ok: false as const, seq: -1, reason: line.torn ? 'torn (incomplete) record' : 'not a record' };
        if (!check.ok) {
          damage = { line: lineNumber, reason: check.reason, start: line.start };
          continue;
        }
        previous = { seq: record!.seq, hash: record!.hash };
        segment.last = previous;
        segment.bytes = line.end;
        newestBody = record!.body;
        if (this.ack.acknowledged?.seq === record!.seq) this.cursor = { segment, offset: line.end };
      }
      if (damage) {
        if (!isLast) throw new JournalCorrupted(`audit journal damaged at line ${damage.line} of ${path.basename(file)}: ${damage.reason}; refusing to continue (inspect ${file})`);
        this.logger.warn({ segment: path.basename(file), line: damage.line, reason: damage.reason }, 'cut a damaged or torn last record of the audit journal');
        await fs.truncate(file, damage.start);
      }
      if (newestBody !== undefined) segment.lastAt = Date.parse((JSON.parse(newestBody) as AuditEvent).at);
      this.segments.push(segment);
    }
    this.last = previous;
    if (this.ack.acknowledged && this.ack.acknowledged.seq > this.lastSeq) {
      throw new JournalCorrupted(`journal ends at record ${this.lastSeq} but record ${this.ack.acknowledged.seq} was acknowledged: records were lost`);
    }
    if (this.segments.length === 0) await this.beginSegment(this.lastSeq + 1);
    else this.handle = await fs.open(this.activeSegment().file, 'a', 0o600);
    this.size = this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  private async segmentFiles(): Promise<{ file: string; firstSeq: number }[]> {
    const names = await fs.readdir(this.dir);
    return names
      .map((name) => ({ name, match: SEGMENT_FILE.exec(name) }))
      .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
      .map(({ name, match }) => ({ file: path.join(this.dir, name), firstSeq: Number(match[1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
  }

  /** A journal written before segments: its single file becomes the first segment, unchanged. */
  private async adoptLegacyFile(): Promise<void> {
    const legacy = path.join(this.dir, LEGACY_LOG_FILE);
    const exists = await fs.stat(legacy).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)));
    if (!exists) return;
    await fs.rename(legacy, path.join(this.dir, segmentFile((this.ack.base?.seq ?? 0) + 1)));
    await syncDirectory(this.dir);
    this.logger.info('audit journal file taken over as the first segment');
  }
}

/** Every record of the journal in `dataDir`, in order (tests and offline inspection; reads it all into memory). */
export async function readJournal(dataDir: string): Promise<ChainRecord[]> {
  const dir = path.join(dataDir, JOURNAL_DIR);
  const names = (await fs.readdir(dir)).filter((name) => SEGMENT_FILE.test(name)).sort();
  const records: ChainRecord[] = [];
  for (const name of names) {
    for await (const line of fileLines(path.join(dir, name))) if (!line.torn) records.push(JSON.parse(line.text) as ChainRecord);
  }
  return records;
}
