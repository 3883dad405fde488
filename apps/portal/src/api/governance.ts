import { api, call } from './client';
import type { PolicyDiff, PolicyVersion } from './types';

export const BASE = 'base';

export function heads() {
  return call(api.GET('/v1/policies'));
}

export async function latest(scope: string): Promise<PolicyVersion | undefined> {
  const list = await call(api.GET('/v1/policies/{scope}/versions', { params: { path: { scope } } }));
  return list.items[0];
}

export function versions(scope: string) {
  return call(api.GET('/v1/policies/{scope}/versions', { params: { path: { scope } } }));
}

export function save(scope: string, document: string, comment: string | undefined) {
  return call(api.PUT('/v1/policies/{scope}', { params: { path: { scope } }, body: { document, ...(comment ? { comment } : {}) } }));
}

export function diff(scope: string, from: number, to: number): Promise<PolicyDiff> {
  return call(api.GET('/v1/policies/{scope}/diff', { params: { path: { scope }, query: { from, to } } }));
}

/** Publishes the saved versions: every site for the base policy, one country's sites for an overlay. */
export function publish(scope: string) {
  return call(api.POST('/v1/policies/publish', { body: scope === BASE ? {} : { countries: [scope] } }));
}

export function job(id: string) {
  return call(api.GET('/v1/jobs/{id}', { params: { path: { id } } }));
}

/** Consent flags a policy document gates on, with the categories each one unlocks. */
export function consentGates(document: unknown): Map<string, string[]> {
  const gates = new Map<string, string[]>();
  const categories = (document as { categories?: Record<string, { consent?: { required?: string[] } }> } | undefined)?.categories ?? {};
  for (const [category, rule] of Object.entries(categories)) {
    for (const flag of rule?.consent?.required ?? []) gates.set(flag, [...(gates.get(flag) ?? []), category]);
  }
  return gates;
}
