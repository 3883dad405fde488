import type { Role } from '../api/types';

/**
 * What each role may see and do, mirroring the control plane's @Allow rules so the portal never
 * offers an action the API would refuse (the API stays the authority: it refuses anyway).
 */
const VENDOR_STAFF: Role[] = ['platform_admin', 'vendor_admin', 'vendor_engineer'];
const TENANT_ADMINS: Role[] = ['platform_admin', 'vendor_admin'];
const INTEGRATORS: Role[] = ['integrator_admin', 'integrator_viewer'];

/** Integrator roles belong to one organisation (the API refuses them without one, and other roles with one). */
export const isIntegratorRole = (role: Role): boolean => INTEGRATORS.includes(role);
/** Who runs a site's gateways: vendor staff, and an integrator's admin for the sites of its organisation. */
const SITE_OPERATORS: Role[] = [...VENDOR_STAFF, 'integrator_admin'];

export const can = {
  seeFleet: (role: Role) => role !== 'auditor',
  addSites: (role: Role) => TENANT_ADMINS.includes(role),
  editSites: (role: Role) => VENDOR_STAFF.includes(role),
  editNodes: (role: Role) => SITE_OPERATORS.includes(role),
  removeSites: (role: Role) => TENANT_ADMINS.includes(role),
  removeNodes: (role: Role) => TENANT_ADMINS.includes(role),
  enrollNodes: (role: Role) => SITE_OPERATORS.includes(role),
  revokeNodes: (role: Role) => SITE_OPERATORS.includes(role),
  seeGovernance: (role: Role) => VENDOR_STAFF.includes(role),
  editPolicy: (role: Role) => VENDOR_STAFF.includes(role),
  simulate: (role: Role) => VENDOR_STAFF.includes(role),
  publishPolicy: (role: Role) => TENANT_ADMINS.includes(role),
  followJobs: (role: Role) => TENANT_ADMINS.includes(role),
  seeConsent: (role: Role) => role !== 'auditor',
  setConsent: (role: Role) => TENANT_ADMINS.includes(role) || role === 'integrator_admin',
  seeAudit: (_role: Role) => true,
  verifyAudit: (role: Role) => !INTEGRATORS.includes(role),
  exportAudit: (role: Role) => TENANT_ADMINS.includes(role) || role === 'auditor',
  requestCheckpoint: (role: Role) => TENANT_ADMINS.includes(role),
  seeModels: (role: Role) => VENDOR_STAFF.includes(role),
  manageRollouts: (role: Role) => VENDOR_STAFF.includes(role),
  publishModels: (role: Role) => VENDOR_STAFF.includes(role),
  manageUsers: (role: Role) => TENANT_ADMINS.includes(role),
  manageApiKeys: (role: Role) => TENANT_ADMINS.includes(role),
};

export interface NavItem {
  to: string;
  label: string;
  visible: (role: Role) => boolean;
}

export const NAV: NavItem[] = [
  { to: '/fleet', label: 'Fleet', visible: can.seeFleet },
  { to: '/governance', label: 'Governance', visible: can.seeGovernance },
  { to: '/consent', label: 'Consent', visible: can.seeConsent },
  { to: '/models', label: 'Models & rollouts', visible: can.seeModels },
  { to: '/audit', label: 'Audit', visible: can.seeAudit },
  { to: '/people', label: 'People', visible: can.manageUsers },
  { to: '/api-keys', label: 'API keys', visible: can.manageApiKeys },
];

export function homeFor(role: Role): string {
  return NAV.find((item) => item.visible(role))?.to ?? '/audit';
}

export const ROLE_LABELS: Record<Role, string> = {
  platform_admin: 'Platform admin',
  vendor_admin: 'Vendor admin',
  vendor_engineer: 'Vendor engineer',
  integrator_admin: 'Integrator admin',
  integrator_viewer: 'Integrator viewer',
  auditor: 'Auditor',
};
