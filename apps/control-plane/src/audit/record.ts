import { recordControlPlaneEvent, type TenantTx } from '@meridian/db';
import type { Principal } from '../auth/principal';

/**
 * Records a change made through the API in the tenant's audit log, inside the transaction that makes
 * the change: both commit or neither does.
 */
export function recordChange(tx: TenantTx, principal: Principal, type: string, data: Record<string, unknown>, siteId?: string): Promise<void> {
  // `role` in a record is the actor's role: a role the change grants would be overwritten by it.
  if ('role' in data) throw new Error(`audit record ${type}: data.role is the actor's role; name the role the change is about (e.g. grantedRole)`);
  return recordControlPlaneEvent(tx, principal.tenantId, {
    type,
    actor: actorOf(principal),
    ...(siteId ? { siteId } : {}),
    data: { ...data, role: principal.role },
  });
}

/** How a person or API key appears as an actor in the audit log. */
export function actorOf(principal: Principal): string {
  return `${principal.kind === 'user' ? 'user' : 'api_key'}:${principal.subjectId}`;
}

/** What a change did to the named fields, as { field: { from, to } }, for the record of an update (unchanged fields left out). */
export function fieldChanges<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = { from: before[field] ?? null, to: after[field] ?? null };
  }
  return changes;
}
