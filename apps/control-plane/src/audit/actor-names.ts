import type { TenantTx } from '@meridian/db';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAMED_KINDS = ['user', 'node', 'api_key'] as const;
type NamedKind = (typeof NAMED_KINDS)[number];

/**
 * What the tenant calls the people, nodes and API keys behind audit actors ("user:<id>",
 * "node:<id>", "api_key:<id>"), keyed by actor, as it knows them now. Actors it no longer knows (a
 * person removed from the tenant, a deleted key) and system actors have no name: the record's
 * actor id is what the log holds and proves either way; the name is only read beside it.
 */
export async function actorNames(tx: TenantTx, actors: Iterable<string>): Promise<Map<string, string>> {
  const ids: Record<NamedKind, Set<string>> = { user: new Set(), node: new Set(), api_key: new Set() };
  for (const actor of actors) {
    const colon = actor.indexOf(':');
    const kind = actor.slice(0, colon) as NamedKind;
    const id = actor.slice(colon + 1);
    if (colon > 0 && NAMED_KINDS.includes(kind) && UUID.test(id)) ids[kind].add(id);
  }
  const names = new Map<string, string>();
  // One transaction (one connection): the lookups run one after the other, and only where needed.
  if (ids.user.size > 0) {
    for (const user of await tx.user.findMany({ where: { id: { in: [...ids.user] } }, select: { id: true, displayName: true } })) names.set(`user:${user.id}`, user.displayName);
  }
  if (ids.node.size > 0) {
    for (const node of await tx.edgeNode.findMany({ where: { id: { in: [...ids.node] } }, select: { id: true, name: true } })) names.set(`node:${node.id}`, node.name);
  }
  if (ids.api_key.size > 0) {
    for (const key of await tx.apiKey.findMany({ where: { id: { in: [...ids.api_key] } }, select: { id: true, name: true } })) names.set(`api_key:${key.id}`, key.name);
  }
  return names;
}
