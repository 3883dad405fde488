import { createParamDecorator, InternalServerErrorException, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Role } from '@meridian/db';

/** Who is calling: a person with a session, or an automation API key. Always bound to one tenant. */
export interface Principal {
  kind: 'user' | 'api_key';
  /** The user id, or the API key id. */
  subjectId: string;
  userId: string | undefined;
  tenantId: string;
  role: Role;
  /** Set for integrator roles: the organisation whose sites they may see. */
  integratorOrgId: string | null;
  /** A person's session (refresh token family) the access token belongs to; none for API keys. */
  sessionId?: string;
}

export const IS_PUBLIC = 'meridian:public';
export const ALLOWED_ROLES = 'meridian:allowed-roles';

/** No authentication (login, health probes). Everything else is denied unless @Allow names the caller's role. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
export const Allow = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

export const ANY_ROLE: Role[] = Object.values(Role);
export const TENANT_ADMINS: Role[] = [Role.platform_admin, Role.vendor_admin];
export const VENDOR_STAFF: Role[] = [Role.platform_admin, Role.vendor_admin, Role.vendor_engineer];
/** May act on sites: vendor staff everywhere, integrator admins on their organisation's sites. */
export const SITE_OPERATORS: Role[] = [...VENDOR_STAFF, Role.integrator_admin];
export const INTEGRATOR_ROLES: Role[] = [Role.integrator_admin, Role.integrator_viewer];

export function isIntegrator(principal: Principal): boolean {
  return INTEGRATOR_ROLES.includes(principal.role);
}

/** The caller, as authenticated by the global guard; fails loudly if a route was reached without it. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
  if (!principal?.tenantId) throw new InternalServerErrorException('route reached without an authenticated principal');
  return principal;
});

export function tenantContext(principal: Principal) {
  return { tenantId: principal.tenantId, userId: principal.userId };
}
