import type { Logger } from 'pino';
import { ACTIONS, type DecisionRequest } from '@meridian/governance';
import { LocalApiError, type LocalApi, type LocalRequest } from './local-api';
import type { PolicyEngine } from './policy-engine';
import type { AgentState } from './state';

/** Where allowed egress goes, by destination ("vendor_cloud:eu" -> URL); unknown destinations are never contacted. */
export type EgressTargets = Record<string, string>;

const CATEGORY = /^[a-z][a-z0-9_]{1,62}$/;

function readRequest(body: unknown, action?: DecisionRequest['action']): DecisionRequest & { record?: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null) throw new LocalApiError(400, 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const chosen = action ?? b.action;
  if (typeof b.category !== 'string' || !CATEGORY.test(b.category)) throw new LocalApiError(400, 'category: must be a lower_snake_case data category');
  if (typeof chosen !== 'string' || !(ACTIONS as readonly string[]).includes(chosen)) throw new LocalApiError(400, `action: must be one of ${ACTIONS.join(', ')}`);
  if (b.destination !== undefined && (typeof b.destination !== 'string' || b.destination.length > 100)) throw new LocalApiError(400, 'destination: must be a string');
  if (b.location !== undefined && (typeof b.location !== 'string' || b.location.length > 100)) throw new LocalApiError(400, 'location: must be a string');
  if (b.record !== undefined && (typeof b.record !== 'object' || b.record === null || Array.isArray(b.record))) throw new LocalApiError(400, 'record: must be a JSON object');
  return {
    category: b.category,
    action: chosen as DecisionRequest['action'],
    destination: b.destination as string | undefined,
    location: b.location as string | undefined,
    record: b.record as Record<string, unknown> | undefined,
  };
}

/**
 * The governed local API for the factory's applications: every request gets allow / deny /
 * allow-with-redaction from the policy in force, with the rule that decided; a denied egress is
 * never sent anywhere.
 */
export function registerGovernedRoutes(api: LocalApi, getEngine: () => PolicyEngine | undefined, state: AgentState, targets: EgressTargets, logger: Logger): void {
  const NOT_ENROLLED = { decision: 'deny', ruleId: 'policy.none', layer: 'default', reason: 'this node is not enrolled yet', provenance: 'metadata', policyVersion: 0 } as const;
  const decideWith = async (input: DecisionRequest, client: string | undefined) => {
    const engine = getEngine();
    return engine ? engine.decide(input, client) : NOT_ENROLLED;
  };
  const count = (verdict: string) => {
    state.inference.requests += 1;
    if (verdict === 'deny') state.inference.denied += 1;
  };

  api.route('POST', '/v1/decide', async (request: LocalRequest) => {
    const decision = await decideWith(readRequest(request.body), request.client);
    count(decision.decision);
    return { status: 200, body: decision };
  });

  api.route('POST', '/v1/store', async (request) => {
    const decision = await decideWith(readRequest(request.body, 'store'), request.client);
    count(decision.decision);
    return { status: decision.decision === 'deny' ? 403 : 200, body: decision };
  });

  api.route('POST', '/v1/egress', async (request) => {
    const input = readRequest(request.body, 'egress');
    if (!input.destination) throw new LocalApiError(400, 'destination: required for egress');
    const decision = await decideWith(input, request.client);
    count(decision.decision);
    if (decision.decision === 'deny') return { status: 403, body: { ...decision, delivered: false } };
    const record = input.record ?? {};
    const outgoing = decision.decision === 'allow_with_redaction' && 'redaction' in decision && decision.redaction ? getEngine()!.redact(record, decision.redaction) : record;
    const target = targets[input.destination];
    if (!target) return { status: 200, body: { ...decision, delivered: false, record: outgoing } };
    const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ category: input.category, record: outgoing }) }).catch(
      (error: unknown) => {
        logger.warn({ target, err: String(error) }, 'egress target unreachable');
        return undefined;
      },
    );
    return { status: response?.ok ? 200 : 502, body: { ...decision, delivered: Boolean(response?.ok) } };
  });
}
