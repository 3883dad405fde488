import { describe, expect, it } from 'vitest';
import { can, homeFor, NAV } from '../auth/roles';
import { summarizeByCountry } from './fleet';
import { consentGates } from './governance';
import { summarizeCard } from './models';
import type { EdgeNode, Site, SitePolicyStatus } from './types';

const site = (id: string, country: string): Site => ({ id, country, name: id, region: null, integratorOrgId: null, nodeCount: 0, createdAt: '', updatedAt: '' });
const node = (id: string, siteId: string, status: EdgeNode['status']): EdgeNode => ({
  id,
  siteId,
  status,
  name: id,
  labels: {},
  reported: {},
  agentVersion: null,
  lastSeenAt: null,
  enrolledAt: null,
  revokedAt: null,
  createdAt: '',
  updatedAt: '',
});
const status = (siteId: string, country: string, latestVersion: number | null, compliant: boolean[]): SitePolicyStatus => ({
  siteId,
  country,
  latestVersion,
  latestDigest: null,
  publishedAt: null,
  nodes: compliant.map((c, i) => ({ nodeId: `${siteId}-${i}`, name: `n${i}`, appliedVersion: null, appliedAt: null, error: null, compliant: c })),
});

describe('fleet summary by country', () => {
  it('counts nodes by status per country, leaves revoked nodes out, and counts compliance only where a bundle exists', () => {
    const sites = [site('a', 'ID'), site('b', 'ID'), site('c', 'CL')];
    const nodes = [node('1', 'a', 'online'), node('2', 'b', 'stale'), node('3', 'b', 'revoked'), node('4', 'c', 'offline'), node('5', 'c', 'pending')];
    const summary = summarizeByCountry(sites, nodes, [status('a', 'ID', 3, [true]), status('b', 'ID', 3, [false]), status('c', 'CL', null, [false, false])]);
    expect(summary.map((c) => c.country)).toEqual(['CL', 'ID']);
    expect(summary[0]).toMatchObject({ nodes: { online: 0, stale: 0, offline: 1, pending: 1 }, compliant: 0, governed: 0 });
    expect(summary[1]).toMatchObject({ nodes: { online: 1, stale: 1, offline: 0, pending: 0 }, compliant: 1, governed: 2 });
    expect(summary[1]!.sites.map((s) => s.id)).toEqual(['a', 'b']);
  });
});

describe('consent gates of a policy document', () => {
  it('maps each flag to the categories that require it, and tolerates documents without any', () => {
    const gates = consentGates({
      categories: { process_parameters: { consent: { required: ['vendor_remote_diagnostics'] } }, equipment_telemetry: { consent: { required: ['vendor_remote_diagnostics', 'cloud_training'] } }, images: {} },
    });
    expect(Object.fromEntries(gates)).toEqual({ vendor_remote_diagnostics: ['process_parameters', 'equipment_telemetry'], cloud_training: ['equipment_telemetry'] });
    expect(consentGates(undefined).size).toBe(0);
    expect(consentGates({ categories: { x: null } }).size).toBe(0);
  });
});

describe('model card summary', () => {
  it('reads the fields people look for and lists tensors, whatever else the card holds', () => {
    const summary = summarizeCard({ task: 'predictive_maintenance', inputCategories: ['equipment_telemetry'], inputs: [{ name: 'features', type: 'float32', shape: [-1, 4] }], outputs: [{ name: 'score', type: 'float32' }], trainingData: { summary: 'synthetic' }, extra: 1 });
    expect(summary).toMatchObject({ task: 'predictive_maintenance', inputCategories: ['equipment_telemetry'], trainingData: 'synthetic' });
    expect(summary.io).toEqual([
      { direction: 'input', name: 'features', type: 'float32', shape: '[-1, 4]' },
      { direction: 'output', name: 'score', type: 'float32', shape: '?' },
    ]);
    expect(summarizeCard(null).io).toEqual([]);
  });
});

describe('role-aware navigation', () => {
  const labels = (role: Parameters<typeof homeFor>[0]) => NAV.filter((item) => item.visible(role)).map((item) => item.label);
  it('shows auditors audit only, integrators their fleet, consent and audit, vendor staff everything', () => {
    expect(labels('auditor')).toEqual(['Audit']);
    expect(homeFor('auditor')).toBe('/audit');
    expect(labels('integrator_admin')).toEqual(['Fleet', 'Consent', 'Audit']);
    expect(labels('integrator_viewer')).toEqual(['Fleet', 'Consent', 'Audit']);
    expect(labels('vendor_engineer')).toEqual(['Fleet', 'Governance', 'Consent', 'Models & rollouts', 'Audit']);
    expect(homeFor('vendor_admin')).toBe('/fleet');
  });

  it('offers write actions only to roles the API allows them', () => {
    expect(can.setConsent('integrator_admin')).toBe(true);
    expect(can.setConsent('integrator_viewer')).toBe(false);
    expect(can.setConsent('vendor_engineer')).toBe(false);
    expect(can.publishPolicy('vendor_engineer')).toBe(false);
    expect(can.publishPolicy('vendor_admin')).toBe(true);
    for (const write of [can.setConsent, can.editPolicy, can.publishPolicy, can.manageRollouts, can.requestCheckpoint]) expect(write('auditor')).toBe(false);
    expect(can.exportAudit('auditor')).toBe(true);
  });
});

describe('enrolling a gateway', () => {
  it('gives the agent its endpoint and token, and a CA only where the endpoint speaks TLS', async () => {
    const { agentEnvironment } = await import('../ui/EnrollGateway');
    const plain = agentEnvironment({ token: 'me_secret', agentEndpoint: { address: 'cp.example:50051', tls: false } });
    expect(plain.split('\n').slice(0, 2)).toEqual(['MERIDIAN_CONTROL_PLANE=cp.example:50051', 'MERIDIAN_ENROLLMENT_TOKEN=me_secret']);
    expect(plain).not.toMatch(/MERIDIAN_TLS_CA_FILE/);
    expect(agentEnvironment({ token: 'me_secret', agentEndpoint: { address: 'agents.example:443', tls: true } })).toMatch(/^MERIDIAN_TLS_CA_FILE=\S+/m);
    // every line an env file reads as a setting is one: comments stand alone
    for (const line of plain.split('\n')) expect(line).toMatch(/^(#.*|MERIDIAN_[A-Z_]+=\S+)$/);
  });

  it('names a country code in full, and nothing for codes that are not countries', async () => {
    const { countryName } = await import('../ui/SiteForm');
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('CL')).toBe('Chile');
    expect(countryName('XX')).toBeUndefined();
    expect(countryName('de')).toBeUndefined();
  });
});

describe('relative times', () => {
  it('says how long ago a moment was and how long until an expiry', async () => {
    const { ago } = await import('../ui/bits');
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(ago(new Date(now - 2_000), now)).toBe('just now');
    expect(ago(new Date(now - 30_000), now)).toBe('30 s ago');
    expect(ago(new Date(now - 3 * 3600_000), now)).toBe('3 h ago');
    expect(ago(new Date(now + 3600_000), now)).toBe('in 60 min');
    expect(ago(new Date(now + 7 * 86400_000), now)).toBe('in 7 days');
    expect(ago(new Date(now - 30 * 86400_000), now)).toBe(new Date(now - 30 * 86400_000).toLocaleString());
  });
});

describe('node labels as text', () => {
  it('reads key=value pairs separated by commas or lines, and says what is wrong otherwise', async () => {
    const { formatLabels, parseLabels } = await import('./fleet');
    expect(parseLabels('line=a, zone = north\ncamera=')).toEqual({ labels: { line: 'a', zone: 'north', camera: '' } });
    expect(parseLabels('  ')).toEqual({ labels: {} });
    expect(parseLabels('line=a, north')).toEqual({ error: '"north" is not key=value' });
    expect(parseLabels('=a')).toEqual({ error: '"=a" is not key=value' });
    expect(parseLabels('line=a,line=b')).toEqual({ error: '"line" is given twice' });
    expect(parseLabels(formatLabels({ line: 'a', 'zone/x': 'b=c' }))).toEqual({ labels: { line: 'a', 'zone/x': 'b=c' } });
  });
});

describe('node names as typed', () => {
  it('trims a new name and refuses an empty or over-long one before anything is sent', async () => {
    const { parseNodeName } = await import('../ui/NodeActions');
    expect(parseNodeName('  gw-line-a ')).toEqual({ name: 'gw-line-a' });
    expect(parseNodeName('   ')).toEqual({ error: 'A node needs a name' });
    expect(parseNodeName('x'.repeat(100))).toEqual({ name: 'x'.repeat(100) });
    expect(parseNodeName('x'.repeat(101))).toEqual({ error: "A node's name has at most 100 characters (this one has 101)" });
  });
});

describe('integrator organisations', () => {
  it('says what still ties an organisation to the tenant, and nothing when it can go', async () => {
    const { organizationInUse } = await import('../ui/Organizations');
    expect(organizationInUse({ siteCount: 0, memberCount: 0 })).toBeUndefined();
    expect(organizationInUse({ siteCount: 1, memberCount: 0 })).toBe('reassign its 1 site first');
    expect(organizationInUse({ siteCount: 2, memberCount: 1 })).toBe('reassign its 2 sites and 1 person first');
    expect(organizationInUse({ siteCount: 0, memberCount: 3 })).toBe('reassign its 3 people first');
  });
});

describe('API keys', () => {
  it('says whether a key still works, and how a script sends it', async () => {
    const { apiKeyStatus, apiKeyUsage } = await import('../pages/ApiKeysPage');
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: '2026-12-04T00:00:00Z' }, now)).toBe('active');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: '2026-12-03T12:00:00Z' }, now)).toBe('expired');
    expect(apiKeyStatus({ revokedAt: '2026-12-01T00:00:00Z', expiresAt: '2026-12-02T00:00:00Z' }, now)).toBe('revoked');
    expect(apiKeyUsage('mk_abc', 'https://meridian.example')).toBe("curl -H 'x-api-key: mk_abc' https://meridian.example/v1/sites\n# or: -H 'Authorization: Bearer mk_abc'");
  });
});
