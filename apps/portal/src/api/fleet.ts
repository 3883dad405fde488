import { api, call } from './client';
import type { EdgeNode, Site, SitePolicyStatus } from './types';

const PAGE = 200;
/** Enough for any fleet the portal draws on one screen; the API pages beyond it. */
const MAX_PAGES = 10;

export async function allSites(): Promise<Site[]> {
  const items: Site[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await call(api.GET('/v1/sites', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }));
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export async function allNodes(siteId?: string): Promise<EdgeNode[]> {
  const items: EdgeNode[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await call(api.GET('/v1/nodes', { params: { query: { limit: PAGE, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}) } } }));
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
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
