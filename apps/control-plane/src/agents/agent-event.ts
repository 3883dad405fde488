import { encodeEvent, isControlPlaneEventType, type AuditEvent } from '@meridian/audit';
import { NAME_PATTERN, VERDICTS } from '@meridian/governance';

/**
 * What an agent may journal. The indexed columns of a node's events are taken from the node's
 * identity (source, actor, site), but the body is what an audit export carries and what the offline
 * verifier and the portal show, so it must not claim anything else: its actor is the node, its site
 * (if named) the node's own, its type not one of the control plane's, and it is the canonical JSON the
 * chain hash covers — sorted keys, no duplicates (readers keeping the first or the last of a
 * duplicate key would disagree on a decision), nesting bounded (a deeply nested body stored once
 * would overflow the stack of every reader that walks it).
 */
export interface AgentEventOwner {
  nodeId: string;
  siteId: string;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,4}$/;
const MAX_TYPE_LENGTH = 100;
export const MAX_EVENT_DEPTH = 32;
const VERDICT_SET: ReadonlySet<string> = new Set(VERDICTS);

export type AgentEventCheck = { ok: true; event: AuditEvent; at: Date } | { ok: false; reason: string };

export function checkAgentEvent(body: string, owner: AgentEventOwner): AgentEventCheck {
  const refuse = (reason: string): AgentEventCheck => ({ ok: false, reason });
  if (nestingDepth(body) > MAX_EVENT_DEPTH) return refuse(`nested deeper than ${MAX_EVENT_DEPTH} levels`);
  let event: AuditEvent;
  try {
    event = JSON.parse(body) as AuditEvent;
  } catch {
    return refuse('not JSON');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return refuse('not a JSON object');
  if (typeof event.type !== 'string' || event.type.length > MAX_TYPE_LENGTH || !EVENT_TYPE.test(event.type)) return refuse('type: a dotted lower_snake_case name such as model.inference');
  if (isControlPlaneEventType(event.type)) return refuse(`type: ${event.type.split('.')[0]}.* events are written by the control plane only`);
  if (typeof event.at !== 'string') return refuse('at: an ISO 8601 time');
  const at = new Date(event.at);
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970 || at.getUTCFullYear() > 9999) return refuse('at: an ISO 8601 time');
  if (event.actor !== `node:${owner.nodeId}`) return refuse(`actor: must be node:${owner.nodeId}, the node that uploads it`);
  const siteId = (event as { siteId?: unknown }).siteId;
  if (siteId !== undefined && siteId !== owner.siteId) return refuse("siteId: a node's events belong to its own site");
  if (event.category !== undefined && (typeof event.category !== 'string' || !NAME_PATTERN.test(event.category))) return refuse('category: a lower_snake_case data category');
  if (event.decision !== undefined && (typeof event.decision !== 'string' || !VERDICT_SET.has(event.decision))) return refuse(`decision: one of ${VERDICTS.join(', ')}`);
  if (encodeEvent(event) !== body) return refuse('not the canonical JSON of the event (sorted keys, no duplicate keys, no whitespace)');
  return { ok: true, event, at };
}

/**
 * Deepest nesting of arrays and objects in a JSON text, counted without recursion (strings skipped).
 * Returns at once (a native search) when the text has fewer opening brackets than `atMost`, as an
 * event's body almost always does: it cannot nest deeper than that.
 */
export function nestingDepth(json: string, atMost = MAX_EVENT_DEPTH): number {
  let opening = 0;
  for (const bracket of ['{', '[']) {
    for (let at = json.indexOf(bracket); at !== -1 && opening <= atMost; at = json.indexOf(bracket, at + 1)) opening += 1;
  }
  if (opening <= atMost) return opening;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}
