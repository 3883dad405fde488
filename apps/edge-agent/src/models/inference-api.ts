import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { sha256Hex } from '@meridian/crypto';
import { canonicalJson } from '@meridian/governance';
import { LocalApiError, type LocalApi } from '../local-api';
import type { AuditRecorder, EnforcedDecision, JournalDurability, PolicyEngine } from '../policy-engine';
import type { AgentState } from '../state';
import type { ModelManager } from './model-manager';
import { ModelInputError, type OutputTensor } from './runtime';

const MODEL_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_METADATA_BYTES = 16 * 1024;

interface InferRequest {
  model: string;
  input: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

function readInferRequest(body: unknown): InferRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LocalApiError(400, 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!['model', 'input', 'metadata'].includes(key)) throw new LocalApiError(400, `${key}: unknown field (expected model, input, metadata)`);
  if (typeof b.model !== 'string' || !MODEL_REF.test(b.model)) throw new LocalApiError(400, 'model: must be the name (or id) of a model active on this node');
  if (typeof b.input !== 'object' || b.input === null || Array.isArray(b.input)) throw new LocalApiError(400, 'input: must be a JSON object of named tensors, e.g. {"features": [[2.0, 0.5, 55, 12]]}');
  if (b.metadata !== undefined && (typeof b.metadata !== 'object' || b.metadata === null || Array.isArray(b.metadata))) throw new LocalApiError(400, 'metadata: must be a JSON object');
  // Metadata goes into the journal with every inference: keep it to what provenance needs.
  if (b.metadata !== undefined && Buffer.byteLength(JSON.stringify(b.metadata)) > MAX_METADATA_BYTES) throw new LocalApiError(400, `metadata: at most ${MAX_METADATA_BYTES} bytes of JSON`);
  return { model: b.model, input: b.input as Record<string, unknown>, metadata: (b.metadata as Record<string, unknown> | undefined) ?? {} };
}

/** What identifies an inference in its journal record: the model served, the decision, what provenance asks. */
export interface InferenceSubject {
  category: string;
  decision: EnforcedDecision;
  model: { name: string; modelId: string; version: string };
  /** Redacted metadata and content hash, as the category's provenance level asks. */
  provenance: Record<string, unknown>;
}

/**
 * The one model.inference record of a request (allowed, denied or failed), as the journal receives
 * it. `extra` is what the outcome adds: outputHash and durationMs, or the error. Exported so the
 * governance-overhead benchmark times the very record the agent writes.
 */
export function inferenceEvent(subject: InferenceSubject, extra: Record<string, unknown>): { type: string; category: string; decision: string; data: Record<string, unknown> } {
  const { category, decision, model, provenance } = subject;
  return {
    type: 'model.inference',
    category,
    decision: decision.decision,
    data: { action: 'infer', ...subjectView(model, category), ...verdictView(decision), ...provenance, ...extra },
  };
}

function subjectView(model: InferenceSubject['model'], category: string) {
  return { model: model.name, modelId: model.modelId, version: model.version, inputCategory: category };
}

function verdictView(decision: EnforcedDecision) {
  return { decision: decision.decision, ruleId: decision.ruleId, layer: decision.layer, policyVersion: decision.policyVersion, provenance: decision.provenance };
}

const NOT_ENROLLED: EnforcedDecision = { decision: 'deny', ruleId: 'policy.none', layer: 'default', reason: 'this node is not enrolled yet', provenance: 'metadata', policyVersion: 0 };

/**
 * Governed inference: POST /v1/infer runs a model active on this node only if the policy in force
 * allows `infer` on the model card's input category. Metadata is redacted per the category's rule
 * before it is journaled; the journal gets one model.inference record per request — allowed, denied
 * or failed — carrying the policy decision and what the category's provenance level asks (none:
 * model, version, decision, output hash; metadata: plus the redacted metadata; content_hash: plus
 * sha256 of the canonical JSON of `input`). GET /v1/models lists what serves.
 */
export function registerModelRoutes(
  api: LocalApi,
  deps: { manager: () => ModelManager | undefined; engine: () => PolicyEngine | undefined; audit: () => AuditRecorder | undefined; durability: JournalDurability },
  state: AgentState,
  logger: Logger,
): void {
  api.route('GET', '/v1/models', () => {
    const manager = deps.manager();
    return { status: 200, body: { models: manager?.list() ?? [], states: manager?.stateRecords() ?? {} } };
  });

  api.route('POST', '/v1/infer', async (request) => {
    const body = readInferRequest(request.body);
    const serving = deps.manager()?.find(body.model);
    if (!serving) throw new LocalApiError(404, `no model named "${body.model}" is active on this node (GET /v1/models lists them)`);
    let feeds;
    try {
      feeds = serving.model.prepare(body.input);
    } catch (error) {
      if (error instanceof ModelInputError) throw new LocalApiError(400, error.message);
      throw error;
    }
    // Counted from here: requests that reached a model (a wrong name or shape is the caller's error, not the model's).
    state.inference.requests += 1;
    const category = serving.card.inputCategories[0]!;
    const engine = deps.engine();
    // The inference record carries the decision: one journal record (and in strict durability one
    // fsync) per request instead of a policy.decision record followed by a model.inference record.
    const decision = engine ? engine.evaluate({ category, action: 'infer' }) : NOT_ENROLLED;
    const model = { name: serving.name, modelId: serving.modelId, version: serving.version };
    const subject = subjectView(model, category);
    const verdict = verdictView(decision);
    const provenance: Record<string, unknown> = {};
    if (decision.provenance !== 'none') {
      provenance.metadata = engine ? engine.redact(body.metadata, engine.redactionFor(category)) : {};
    }
    if (decision.provenance === 'content_hash') provenance.contentHash = sha256Hex(canonicalJson(body.input));

    // Which application sent the input, when the local API knows its callers: part of the data's provenance.
    const caller = request.client ? { client: request.client } : {};
    const journal = async (extra: Record<string, unknown>): Promise<boolean> => {
      const audit = deps.audit();
      if (!audit) return true;
      const written = audit.record(inferenceEvent({ category, decision, model, provenance }, { ...caller, ...extra }));
      if (deps.durability === 'batch') {
        written.catch((error: unknown) => logger.error({ err: String(error) }, 'inference record lost'));
        return true;
      }
      return written.then(
        () => true,
        (error: unknown) => {
          logger.error({ err: String(error) }, 'inference could not be recorded');
          return false;
        },
      );
    };

    if (decision.decision === 'deny') {
      state.inference.denied += 1;
      await journal({});
      return { status: 403, body: { ...subject, ...verdict, reason: decision.reason } };
    }
    const startedAt = performance.now();
    let outputs: Record<string, OutputTensor>;
    try {
      outputs = await serving.model.run(feeds);
    } catch (error) {
      state.inference.errors += 1;
      const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error);
      await journal({ error: message });
      logger.warn({ ...subject, err: message }, 'inference failed');
      throw new LocalApiError(500, `inference failed: ${message}`);
    }
    const durationMs = performance.now() - startedAt;
    const outputHash = sha256Hex(canonicalJson(outputs));
    if (!(await journal({ outputHash, durationMs: Math.round(durationMs * 1000) / 1000 }))) {
      state.inference.errors += 1;
      throw new LocalApiError(503, 'the inference could not be recorded in the audit journal; its result is withheld');
    }
    return { status: 200, body: { ...subject, ...verdict, ...(provenance.contentHash ? { contentHash: provenance.contentHash } : {}), outputs, outputHash } };
  });
}
