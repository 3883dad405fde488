import type { components } from './schema';

/** Names for the generated schemas the pages use (aliases of the OpenAPI types, not copies). */
type S = components['schemas'];
export type Problem = S['Problem'];
export type Session = S['SessionView'];
export type Membership = S['MembershipView'];
export type Me = S['MeView'];
export type Role = Session['role'];
export type Site = S['SiteView'];
export type EdgeNode = S['NodeView'];
export type NodeStatus = EdgeNode['status'];
export type PolicyHead = S['PolicyHeadView'];
export type PolicyVersion = S['PolicyVersionView'];
export type SavedPolicy = S['SavedPolicyView'];
export type PolicyDiff = S['DiffView'];
export type Decision = S['DecisionView'];
export type SimulateRequest = S['SimulateDto'];
export type SitePolicyStatus = S['SitePolicyStatusView'];
export type Consent = S['ConsentView'];
export type AuditEvent = S['AuditEventView'];
export type AuditEventDetail = S['AuditEventDetailView'];
export type AuditQuery = NonNullable<import('./schema').operations['Audit_events']['parameters']['query']>;
export type Checkpoint = S['CheckpointView'];
export type Verification = S['VerificationView'];
export type Job = S['JobView'];
