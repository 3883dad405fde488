import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AuditEvent } from '@meridian/audit';
import { signEd25519 } from '@meridian/crypto';
import { AUDIT_RESUME_AFTER_HASH, AUDIT_RESUME_AFTER_SEQ } from '@meridian/protocol';
import type { KeyObject } from 'node:crypto';
import { Backoff, sleep } from './backoff';
import type { ControlPlaneClient } from './control-plane-client';
import type { Journal } from './journal';
import type { AuditRecorder } from './policy-engine';
import type { AgentState } from './state';

const BATCH = 500;
const COMPACT_EVERY_MS = 60_000;

/** An event to journal: the time is now unless the event says when it happened. */
export type RecordedEvent = Omit<AuditEvent, 'at' | 'actor'> & { at?: string };

/** An event as the journal stores it: stamped with the time and this node as its actor. */
export function journalEvent(nodeId: string, event: RecordedEvent): AuditEvent {
  return { ...event, at: event.at ?? new Date().toISOString(), actor: `node:${nodeId}` };
}

/** Journals events for the policy engine and uploads them in signed batches whenever the control plane is reachable. */
export class AuditUploader implements AuditRecorder {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly journal: Journal,
    private readonly client: ControlPlaneClient,
    private readonly key: KeyObject,
    private readonly nodeId: string,
    private readonly state: AgentState,
    private readonly logger: Logger,
    private readonly backoffOptions: { initialMs: number; maxMs: number },
  ) {}

  get full(): boolean {
    return this.journal.full;
  }

  /** Whether this exact event (its `at` included) is in the journal already. */
  journaled(event: RecordedEvent & { at: string }): Promise<boolean> {
    return this.journal.includes(journalEvent(this.nodeId, event));
  }

  record(event: RecordedEvent): Promise<void> {
    return this.journal.append(journalEvent(this.nodeId, event)).then(
      () => {
        this.state.auditPendingEvents = this.journal.pendingUpload;
        this.wake?.();
      },
      (error: unknown) => {
        this.logger.error({ err: String(error), type: event.type }, 'could not journal an audit event');
        throw error;
      },
    );
  }

  start(): void {
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.loop;
    await this.journal.close();
  }

  /**
   * Moves the journal's acknowledgement back to what the control plane still holds, so the next
   * batches send the records it lost. False when the journal no longer has them: the upload then goes
   * on as before and the control plane flags the chain for an operator.
   */
  private async resendAfter(head: { seq: number; hash: string }): Promise<boolean> {
    const from = this.journal.acknowledgedSeq;
    if (await this.journal.rewind(head)) {
      this.state.auditPendingEvents = this.journal.pendingUpload;
      this.logger.warn({ afterSeq: head.seq, acknowledgedSeq: from }, 'the control plane lost audit records it had acknowledged; sending them again');
      return true;
    }
    this.logger.error({ afterSeq: head.seq, acknowledgedSeq: from }, 'the control plane asked for audit records this journal no longer holds (or not of this chain); an operator must look at this node');
    return false;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.backoffOptions.initialMs, this.backoffOptions.maxMs);
    let lastCompaction = Date.now();
    while (!this.stop.signal.aborted) {
      try {
        const batch = await this.journal.unacknowledged(BATCH);
        if (batch.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, 1_000).unref();
          });
          continue;
        }
        const hashes = Buffer.concat(batch.map((r) => Buffer.from(r.hash, 'hex')));
        const ack = await this.client.uploadAudit({
          records: batch.map((r) => ({ seq: r.seq, prevHash: Buffer.from(r.prevHash, 'hex'), hash: Buffer.from(r.hash, 'hex'), body: Buffer.from(r.body, 'utf8') })),
          signature: signEd25519(this.key, hashes),
        });
        await this.journal.acknowledge({ seq: ack.acknowledgedSeq, hash: Buffer.from(ack.acknowledgedHash).toString('hex') });
        this.state.auditPendingEvents = this.journal.pendingUpload;
        backoff.reset();
        if (Date.now() - lastCompaction > COMPACT_EVERY_MS) {
          lastCompaction = Date.now();
          await this.journal.compact();
        }
      } catch (error) {
        if (this.stop.signal.aborted) return;
        const resume = resumeAfter(error);
        if (resume && (await this.resendAfter(resume))) continue;
        // Over the node's upload quota: the control plane says when the batch will pass; other failures back off.
        const hinted = retryAfterMs(error);
        this.logger.debug({ err: String(error), retryInMs: hinted }, 'audit upload failed; will retry');
        await sleep(hinted !== undefined ? Math.min(hinted, this.backoffOptions.maxMs) : backoff.next(), this.stop.signal);
      }
    }
  }
}

/** The head the control plane asks to upload again from (its store lost records it had acknowledged), if it asks. */
function resumeAfter(error: unknown): { seq: number; hash: string } | undefined {
  const { code, metadata } = error as Partial<ServiceError>;
  if (code !== GrpcStatus.FAILED_PRECONDITION || !metadata) return undefined;
  const seq = Number(metadata.get(AUDIT_RESUME_AFTER_SEQ)[0]);
  const hash = String(metadata.get(AUDIT_RESUME_AFTER_HASH)[0] ?? '');
  return Number.isSafeInteger(seq) && seq >= 0 && /^[0-9a-f]{64}$/.test(hash) ? { seq, hash } : undefined;
}

/** The `retry-after-ms` trailer of a RESOURCE_EXHAUSTED refusal (the control plane's rate limits), if any. */
function retryAfterMs(error: unknown): number | undefined {
  const { code, metadata } = error as Partial<ServiceError>;
  if (code !== GrpcStatus.RESOURCE_EXHAUSTED || !metadata) return undefined;
  const hint = Number(metadata.get('retry-after-ms')[0]);
  return Number.isFinite(hint) && hint > 0 ? hint : undefined;
}
