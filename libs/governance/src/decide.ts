import type { Action, Provenance } from './document';
import type { EffectivePolicy, Layer } from './merge';

export interface DecisionRequest {
  category: string;
  action: Action;
  /** For egress: control_plane, vendor_cloud:<region>, third_party:<name>. */
  destination?: string;
  /** For store: site (default), country, region:<name>. */
  location?: string;
}

export const VERDICTS = ['allow', 'deny', 'allow_with_redaction'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Decision {
  decision: Verdict;
  /** Stable id of the rule that decided, e.g. "inspection_images.egress". */
  ruleId: string;
  /** Which layer decided: default, base, overlay:<CC>, or consent. */
  layer: Layer | 'consent';
  reason: string;
  redaction?: { drop: string[]; hash: string[] };
  provenance: Provenance;
}

function destinationAllowed(allowed: string[], destination: string): boolean {
  if (allowed.includes(destination)) return true;
  const [kind] = destination.split(':');
  return allowed.includes(`${kind}:*`) && destination !== `${kind}:*`;
}

/**
 * One decision: the same function on the control plane (simulate) and on the agent (enforce).
 * Denials win; consent flags are checked after the category's own rules.
 */
export function decide(policy: EffectivePolicy, consent: Record<string, boolean>, request: DecisionRequest): Decision {
  const rule = policy.categories[request.category];
  if (!rule) {
    return { decision: 'deny', ruleId: 'category.unknown', layer: 'default', reason: `unknown data category "${request.category}"`, provenance: 'metadata' };
  }
  const provenance = rule.provenance.value;
  const id = (field: string) => `${request.category}.${field}`;
  const deny = (field: string, layer: Decision['layer'], reason: string): Decision => ({ decision: 'deny', ruleId: id(field), layer, reason, provenance });

  if (request.action === 'store') {
    const location = request.location ?? 'site';
    if (!rule.residency.value.includes(location)) {
      return deny('residency', rule.residency.layer, `${request.category} may only be stored at: ${rule.residency.value.join(', ') || 'nowhere'}`);
    }
  }
  if (request.action === 'egress') {
    if (!request.destination) return deny('egress', 'default', 'egress needs a destination');
    if (!destinationAllowed(rule.egress.value, request.destination)) {
      return deny('egress', rule.egress.layer, `${request.category} may not leave for ${request.destination}`);
    }
  }
  const consentRule = rule.consent.value;
  if (consentRule.appliesTo.includes(request.action)) {
    const missing = consentRule.required.filter((flag) => consent[flag] !== true);
    if (missing.length) {
      return { decision: 'deny', ruleId: id(`consent.${missing[0]}`), layer: 'consent', reason: `consent flag ${missing.join(', ')} is off for this site (required by ${rule.consent.layer})`, provenance };
    }
  }
  const redaction = rule.redaction.value;
  if (request.action === 'egress' && (redaction.drop.length || redaction.hash.length)) {
    return { decision: 'allow_with_redaction', ruleId: id('redaction'), layer: rule.redaction.layer, reason: 'allowed once the listed fields are dropped or hashed', redaction, provenance };
  }
  const decidedBy = request.action === 'egress' ? rule.egress : request.action === 'store' ? rule.residency : { layer: 'default' as Layer };
  return { decision: 'allow', ruleId: id(request.action === 'infer' ? 'infer' : request.action === 'egress' ? 'egress' : 'residency'), layer: decidedBy.layer, reason: 'allowed', provenance };
}

/**
 * Applies a redaction to a flat or nested JSON record: dropped fields vanish, hashed ones become
 * sha256 hex. The record given is left as it was: only the objects on the path to a field that
 * changes are copied (copy on write), the rest is shared with the result — a deep copy of every
 * record cost each governed request more than the redaction itself.
 */
export function redact(record: Record<string, unknown>, redaction: { drop: string[]; hash: string[] }, hash: (value: string) => string): Record<string, unknown> {
  if (redaction.drop.length === 0 && redaction.hash.length === 0) return record;
  const out: Record<string, unknown> = { ...record };
  // objects of `out` already copied, so that a path shared by two fields is copied once
  const copied = new Set<object>([out]);
  const walk = (path: string, apply: (parent: Record<string, unknown>, key: string) => void) => {
    const parts = path.split('.');
    let node: Record<string, unknown> = out;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      if (typeof child !== 'object' || child === null || !Object.prototype.hasOwnProperty.call(node, part)) return;
      if (!copied.has(child)) {
        const copy = (Array.isArray(child) ? child.slice() : { ...(child as Record<string, unknown>) }) as Record<string, unknown>;
        copied.add(copy);
        node[part] = copy;
        node = copy;
      } else {
        node = child as Record<string, unknown>;
      }
    }
    const last = parts[parts.length - 1]!;
    if (Object.prototype.hasOwnProperty.call(node, last)) apply(node, last);
  };
  for (const field of redaction.drop) walk(field, (parent, key) => delete parent[key]);
  for (const field of redaction.hash) walk(field, (parent, key) => (parent[key] = hash(JSON.stringify(parent[key]))));
  return out;
}
