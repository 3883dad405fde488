import { createHash, type Hash } from 'node:crypto';
import type { Checkpoint } from './checkpoint';
import type { ExportedEvent } from './export';

/**
 * The auditor's bundle as JSON Lines, written and verified as a stream, so that its size is bounded by
 * the disk and not by memory: one object per line, in this order —
 *
 *   {"format":"meridian.audit-export.v3","tenantId":…,"exportedAt":…,"requestedBy":…,"treeSize":N}
 *   {"signingKey":{"keyId":…,"publicKey":<base64>}}            (each tenant key)
 *   {"checkpoint":{…signed checkpoint…}}                       (each checkpoint, growing tree size)
 *   {"event":{"logIndex":…,"sourceId":…,"seq":…,"prevHash":…,"hash":…,"body":…}}   (log order)
 *   {"end":{"counts":{…},"sha256":<hex of every byte before this line>}}
 *
 * Every checkpoint's root is recomputed from the events up to its tree size (so no consistency proofs
 * are needed: the prefix is right there), every signature checked, every record's hash and every
 * source's chain; the last line pins the whole file and shows it was not cut short.
 */
export const AUDIT_EXPORT_STREAM_FORMAT = 'meridian.audit-export.v3' as const;

export interface AuditExportHeader {
  format: typeof AUDIT_EXPORT_STREAM_FORMAT;
  tenantId: string;
  exportedAt: string;
  requestedBy: string | null;
  /** Events in the bundle: the newest checkpoint's tree size. */
  treeSize: number;
}

export interface AuditExportEnd {
  counts: { events: number; sources: number; checkpoints: number; signingKeys: number };
  /** sha256 (hex) of every byte of the file before the end line. */
  sha256: string;
}

/** Builds the lines of a v3 bundle one at a time (the caller writes them where it likes), keeping only counts and a running hash. */
export class AuditExportWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly sources = new Set<string>();
  private readonly counts = { events: 0, sources: 0, checkpoints: 0, signingKeys: 0 };
  private stage: 'header' | 'keys' | 'checkpoints' | 'events' | 'ended' = 'header';
  /** Bytes of the file so far (uncompressed). */
  bytes = 0;

  constructor(private readonly meta: Omit<AuditExportHeader, 'format'>) {}

  header(): string {
    this.expect('header', 'keys');
    return this.line({ format: AUDIT_EXPORT_STREAM_FORMAT, ...this.meta } satisfies AuditExportHeader);
  }

  signingKey(key: { keyId: string; publicKey: string }): string {
    this.expect('keys', 'keys');
    this.counts.signingKeys += 1;
    return this.line({ signingKey: { keyId: key.keyId, publicKey: key.publicKey } });
  }

  checkpoint(checkpoint: Checkpoint): string {
    this.expect(this.stage === 'keys' ? 'keys' : 'checkpoints', 'checkpoints');
    this.counts.checkpoints += 1;
    return this.line({ checkpoint });
  }

  event(event: ExportedEvent): string {
    this.expect(this.stage === 'checkpoints' ? 'checkpoints' : 'events', 'events');
    this.counts.events += 1;
    this.sources.add(event.sourceId);
    const { logIndex, sourceId, seq, prevHash, hash, body } = event;
    return this.line({ event: { logIndex, sourceId, seq, prevHash, hash, body } });
  }

  /** The last line; after it the writer takes nothing more. */
  end(): string {
    if (this.stage === 'header' || this.stage === 'ended') throw new Error(`audit export writer: end() at stage ${this.stage}`);
    this.stage = 'ended';
    const end: AuditExportEnd = { counts: { ...this.counts, sources: this.sources.size }, sha256: this.hash.copy().digest('hex') };
    const text = this.line({ end });
    this.fileSha256 = this.hash.digest('hex');
    return text;
  }

  /** sha256 (hex) of the whole file, its end line included; known once end() has been written. */
  fileSha256: string | undefined;

  get eventCount(): number {
    return this.counts.events;
  }

  private expect(stage: typeof this.stage, next: typeof this.stage): void {
    if (this.stage !== stage) throw new Error(`audit export writer: sections out of order (${next} after ${this.stage})`);
    this.stage = next;
  }

  private line(value: unknown): string {
    const text = `${JSON.stringify(value)}\n`;
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
    return text;
  }
}
