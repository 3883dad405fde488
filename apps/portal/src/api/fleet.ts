import { api, call } from './client';
import type { EdgeNode, Site, SitePolicyStatus } from './types';

const PAGE = 200;
/** Enough for any fleet the portal draws on one screen; the API pages beyond it. */
const MAX_PAGES = 10;

/**
 * Every item of a cursor-paginated list, page after page, up to `maxPages` pages (the portal draws
 * them on one screen; the API pages beyond).
 */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>, maxPages = MAX_PAGES): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const result = await page(cursor);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/** The tenant's integrator organisations (an integrator sees its own). */
export function allOrganizations() {
  return allPages((cursor) => call(api.GET('/v1/organizations', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })));
}

export function allSites(): Promise<Site[]> {
  return allPages((cursor) => call(api.GET('/v1/sites', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } })));
}

export function allNodes(siteId?: string): Promise<EdgeNode[]> {
  return allPages((cursor) => call(api.GET('/v1/nodes', { params: { query: { limit: PAGE, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } } })));
}

export function policyStatus(siteId: string): Promise<SitePolicyStatus> {
  return call(api.GET('/v1/sites/{id}/policy-status', { params: { path: { id: siteId } } }));
}

export interface CountrySummary {
  country: string;
  sites: Site[];
  nodes: Record<'online' | 'stale' | 'offline' | 'pending', number>;
  compliant: number;
  /** Nodes whose compliance is known (the site has a published bundle). */
  governed: number;
}

/** Sites grouped by country with node counts by status and policy compliance. */
export function summarizeByCountry(sites: Site[], nodes: EdgeNode[], statuses: SitePolicyStatus[]): CountrySummary[] {
  const byCountry = new Map<string, CountrySummary>();
  const siteCountry = new Map(sites.map((s) => [s.id, s.country]));
  for (const site of sites) {
    const summary = byCountry.get(site.country) ?? { country: site.country, sites: [], nodes: { online: 0, stale: 0, offline: 0, pending: 0 }, compliant: 0, governed: 0 };
    summary.sites.push(site);
    byCountry.set(site.country, summary);
  }
  for (const node of nodes) {
    const summary = byCountry.get(siteCountry.get(node.siteId) ?? '');
    if (summary && node.status !== 'revoked') summary.nodes[node.status] += 1;
  }
  for (const status of statuses) {
    const summary = byCountry.get(status.country);
    if (!summary || status.latestVersion === null) continue;
    summary.governed += status.nodes.length;
    summary.compliant += status.nodes.filter((n) => n.compliant).length;
  }
  return [...byCountry.values()].sort((a, b) => a.country.localeCompare(b.country));
}

/** "line=a, zone=north" as a label map; the reason when it is not one (the API checks keys and values). */
export function parseLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) return { error: `"${part}" is not key=value` };
    const key = part.slice(0, at).trim();
    if (key in labels) return { error: `"${key}" is given twice` };
    labels[key] = part.slice(at + 1).trim();
  }
  return { labels };
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}
