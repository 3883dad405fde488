import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { sha256Hex } from '@meridian/crypto';
import { decide, redact, verifyBundle, type BundlePayload, type Decision, type DecisionRequest, type SignedBundleEnvelope } from '@meridian/governance';
import { writeFileAtomic } from './files';
import type { NodeIdentityFile } from './identity';

export const POLICY_FILE = 'policy.json';
export const TRUSTED_KEYS_FILE = 'trusted-keys.json';

/** Where the engine records what it did: the hash-chained journal. */
export interface AuditRecorder {
  /** True when the journal cannot take more events; the engine then denies (no action without a record). */
  readonly full: boolean;
  /** Resolves once the event is on disk. `at` (when it happened) defaults to now. */
  record(event: { type: string; category?: string; decision?: string; data?: Record<string, unknown>; at?: string }): Promise<void>;
}

/**
 * strict: a decision is answered only once its record is on disk (group commit: concurrent requests
 * share one fsync). batch: answered at once, written and fsync'd with the next flush (within the
 * flush interval) — faster, but a crash of the agent or a power loss can lose the records of that
 * last interval.
 */
export type JournalDurability = 'strict' | 'batch';

interface StoredEnvelope {
  payload: string; // base64
  keyId: string;
  signature: string; // base64
  version: number;
  digest: string;
}

export type ApplyResult = { applied: true; version: number } | { applied: false; reason: string };

export interface EnforcedDecision extends Decision {
  policyVersion: number;
}

/**
 * The policy in force on this node. A bundle replaces it only after verification (trusted key,
 * intact, for this site, newer); it is written to disk first (last known good), so a restart with
 * the control plane unreachable enforces the same policy. With no valid bundle everything is denied.
 */
export class PolicyEngine {
  private current: { envelope: SignedBundleEnvelope; payload: BundlePayload } | undefined;
  private trusted = new Map<string, Uint8Array>();
  /** Decisions of the bundle in force, by request; emptied whenever the bundle changes. */
  private decisions = new Map<string, EnforcedDecision>();

  constructor(
    private readonly dataDir: string,
    private readonly identity: NodeIdentityFile,
    private readonly logger: Logger,
    private readonly audit: AuditRecorder,
    private readonly durability: JournalDurability = 'strict',
  ) {
    for (const key of identity.policySigningKeys) this.trusted.set(key.keyId, Buffer.from(key.publicKey, 'base64'));
  }

  get version(): number {
    return this.current?.payload.version ?? 0;
  }

  get digest(): string {
    return this.current?.envelope.digest ?? '';
  }

  /** The tenant signing keys this node trusts (bundles and model manifests), including rotated-in ones. */
  get trustedKeys(): ReadonlyMap<string, Uint8Array> {
    return this.trusted;
  }

  /** The redaction the policy in force sets for a category (nothing to redact without a policy or rule). */
  redactionFor(category: string): { drop: string[]; hash: string[] } {
    return this.current?.payload.policy.categories[category]?.redaction.value ?? { drop: [], hash: [] };
  }

  /** Loads the persisted trusted keys and last-known-good bundle, re-verifying it (a tampered file is not enforced). */
  async load(): Promise<void> {
    try {
      const keys = JSON.parse(await readFile(path.join(this.dataDir, TRUSTED_KEYS_FILE), 'utf8')) as { keyId: string; publicKey: string }[];
      for (const key of keys) this.trusted.set(key.keyId, Buffer.from(key.publicKey, 'base64'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err: String(error) }, 'ignored unreadable trusted keys file');
    }
    let stored: StoredEnvelope;
    try {
      stored = JSON.parse(await readFile(path.join(this.dataDir, POLICY_FILE), 'utf8')) as StoredEnvelope;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.error({ err: String(error) }, 'last-known-good policy unreadable; denying everything until a valid bundle arrives');
      return;
    }
    const envelope = fromStored(stored);
    const verified = verifyBundle(envelope, this.trusted, { siteId: this.identity.siteId, tenantId: this.identity.tenantId, currentVersion: 0 });
    if (!verified.ok) {
      this.logger.error({ reason: verified.reason }, 'last-known-good policy failed verification; denying everything until a valid bundle arrives');
      return;
    }
    this.current = { envelope, payload: verified.payload };
    this.decisions.clear();
    this.logger.info({ version: verified.payload.version }, 'enforcing last-known-good policy');
  }

  async apply(envelope: SignedBundleEnvelope): Promise<ApplyResult> {
    const verified = verifyBundle(envelope, this.trusted, { siteId: this.identity.siteId, tenantId: this.identity.tenantId, currentVersion: this.version });
    if (!verified.ok) {
      this.logger.warn({ version: envelope.version, keyId: envelope.keyId, reason: verified.reason }, 'policy bundle refused');
      await this.audit.record({ type: 'bundle.refused', data: { version: envelope.version, keyId: envelope.keyId, reason: verified.reason } }).catch(() => undefined);
      return { applied: false, reason: verified.reason };
    }
    await writeFileAtomic(path.join(this.dataDir, POLICY_FILE), JSON.stringify(toStored(envelope)));
    // Key rotation: keys announced by a bundle we verified become trusted for the next ones.
    const announced = verified.payload.signingKeys.filter((k) => !this.trusted.has(k.keyId));
    if (announced.length) {
      for (const key of announced) this.trusted.set(key.keyId, Buffer.from(key.publicKey, 'base64'));
      await writeFileAtomic(
        path.join(this.dataDir, TRUSTED_KEYS_FILE),
        JSON.stringify([...this.trusted].map(([keyId, publicKey]) => ({ keyId, publicKey: Buffer.from(publicKey).toString('base64') }))),
      );
    }
    const previousConsent = this.current?.payload.consent;
    this.current = { envelope, payload: verified.payload };
    this.decisions.clear();
    this.logger.info({ version: verified.payload.version, digest: envelope.digest }, 'policy bundle applied');
    await this.audit.record({ type: 'bundle.applied', data: { version: verified.payload.version, digest: envelope.digest, keyId: envelope.keyId } }).catch(() => undefined);
    const consentChanges = changedFlags(previousConsent, verified.payload.consent);
    if (consentChanges.length > 0) {
      // The node records when it first enforced each consent state, so an auditor can tell from the
      // node's own chain which decisions were taken under which consent.
      await this.audit
        .record({ type: 'consent.seen', data: { version: verified.payload.version, consent: verified.payload.consent, changed: consentChanges } })
        .catch(() => undefined);
    }
    return { applied: true, version: verified.payload.version };
  }

  /**
   * The decision the policy in force gives, not yet recorded: for callers that journal it inside a
   * record of their own (an inference carries its decision), so one request makes one record.
   */
  evaluate(request: DecisionRequest): EnforcedDecision {
    if (this.audit.full) {
      return { decision: 'deny', ruleId: 'audit.journal_full', layer: 'default', reason: 'the audit journal is full until the control plane acknowledges uploaded events', provenance: 'metadata', policyVersion: this.version };
    }
    // The same question gets the same answer until another bundle is applied: decided once per bundle.
    const key = `${request.action}\u0000${request.category}\u0000${request.destination ?? ''}\u0000${request.location ?? ''}`;
    let enforced = this.decisions.get(key);
    if (!enforced) {
      const decision: Decision = this.current
        ? decide(this.current.payload.policy, this.current.payload.consent, request)
        : { decision: 'deny', ruleId: 'policy.none', layer: 'default', reason: 'no valid policy bundle on this node yet', provenance: 'metadata' };
      enforced = Object.freeze({ ...decision, policyVersion: this.version });
      // bounded: destinations come from callers, and a cache must not become a way to fill memory
      if (this.decisions.size >= 1_000) this.decisions.clear();
      this.decisions.set(key, enforced);
    }
    return enforced;
  }

  /**
   * Decides and journals the decision as a policy.decision record (in strict durability, answered
   * once it is on disk). `client`: the application that asked, when the local API authenticates them.
   */
  async decide(request: DecisionRequest, client?: string): Promise<EnforcedDecision> {
    const enforced = this.evaluate(request);
    // a full journal cannot take the record: the refusal is answered without one
    if (this.audit.full) return enforced;
    const written = this.audit.record({
      type: 'policy.decision',
      category: request.category,
      decision: enforced.decision,
      data: {
        action: request.action,
        destination: request.destination,
        location: request.location,
        ruleId: enforced.ruleId,
        layer: enforced.layer,
        policyVersion: enforced.policyVersion,
        ...(client ? { client } : {}),
      },
    });
    if (this.durability === 'strict') {
      try {
        await written;
      } catch {
        return { decision: 'deny', ruleId: 'audit.journal_error', layer: 'default', reason: 'the decision could not be recorded', provenance: 'metadata', policyVersion: this.version };
      }
    } else {
      written.catch(() => undefined);
    }
    return enforced;
  }

  redact(record: Record<string, unknown>, redaction: { drop: string[]; hash: string[] }): Record<string, unknown> {
    return redact(record, redaction, sha256Hex);
  }

}

function toStored(envelope: SignedBundleEnvelope): StoredEnvelope {
  return {
    payload: Buffer.from(envelope.payload).toString('base64'),
    keyId: envelope.keyId,
    signature: Buffer.from(envelope.signature).toString('base64'),
    version: envelope.version,
    digest: envelope.digest,
  };
}

function fromStored(stored: StoredEnvelope): SignedBundleEnvelope {
  return {
    payload: Buffer.from(stored.payload, 'base64'),
    keyId: stored.keyId,
    signature: Buffer.from(stored.signature, 'base64'),
    version: stored.version,
    digest: stored.digest,
  };
}

/** Flags whose value differs between two consent maps (a flag absent counts as off); everything on the first bundle. */
export function changedFlags(before: Record<string, boolean> | undefined, after: Record<string, boolean>): string[] {
  if (!before) return Object.keys(after).sort();
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => (before[name] ?? false) !== (after[name] ?? false)).sort();
}
