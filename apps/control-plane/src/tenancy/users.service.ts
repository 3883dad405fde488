import { randomUUID } from 'node:crypto';
import { recordChange } from '../audit/record';
import { Injectable } from '@nestjs/common';
import { hashPassword } from '@meridian/crypto';
import { Role, type Membership, type TenantTx, type User } from '@meridian/db';
import { INTEGRATOR_ROLES, tenantContext, type Principal } from '../auth/principal';
import { PersonSessions } from '../auth/person-sessions';
import { SessionRevocations } from '../auth/session-revocations';
import { keyset, toPage, type Page, type PageQuery } from '../common/pagination';
import { conflict, notFound } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import type { AddMemberDto, CreateUserDto, ResetPasswordDto, UpdateUserDto, UserView } from './dto/user.dto';
import { requireOrganizationForRole } from './organizations.service';

/** People of a tenant: a global account plus this tenant's membership (which carries the role). */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly sessions: SessionRevocations,
    private readonly personSessions: PersonSessions,
  ) {}

  list(principal: Principal, query: PageQuery): Promise<Page<UserView>> {
    const page = keyset(query);
    return this.db.run(tenantContext(principal), async (tx) => {
      const rows = await tx.membership.findMany({ where: page.where, orderBy: page.orderBy, take: page.take, include: { user: true } });
      return toPage(rows, page.pageSize, toView);
    });
  }

  async get(principal: Principal, userId: string): Promise<UserView> {
    return this.db.run(tenantContext(principal), async (tx) => toView(await findMembership(tx, userId)));
  }

  async create(principal: Principal, input: CreateUserDto): Promise<UserView> {
    const email = input.email.toLowerCase();
    const passwordHash = await hashPassword(input.password);
    return this.db.run(tenantContext(principal), async (tx) => {
      if (await existingUserId(tx, email)) throw conflict('an account with this e-mail exists; add it with POST /v1/users/memberships');
      const integratorOrgId = await requireOrganizationForRole(tx, input.role, input.integratorOrgId);
      const userId = randomUUID();
      // createMany: no RETURNING, since the new user only becomes visible to this tenant through the membership below.
      await tx.user.createMany({ data: [{ id: userId, email, displayName: input.displayName, passwordHash }] });
      await tx.membership.create({ data: { tenantId: principal.tenantId, userId, role: input.role, integratorOrgId } });
      await recordChange(tx, principal, 'admin.user.created', { userId, email, grantedRole: input.role, integratorOrgId });
      return toView(await findMembership(tx, userId));
    });
  }

  async addMember(principal: Principal, input: AddMemberDto): Promise<UserView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const userId = await existingUserId(tx, input.email.toLowerCase());
      if (!userId) throw notFound('account with this e-mail');
      if (await tx.membership.findFirst({ where: { userId } })) throw conflict('already a member of this tenant');
      const integratorOrgId = await requireOrganizationForRole(tx, input.role, input.integratorOrgId);
      await tx.membership.create({ data: { tenantId: principal.tenantId, userId, role: input.role, integratorOrgId } });
      await recordChange(tx, principal, 'admin.user.added', { userId, email: input.email.toLowerCase(), grantedRole: input.role, integratorOrgId });
      return toView(await findMembership(tx, userId));
    });
  }

  async update(principal: Principal, userId: string, input: UpdateUserDto): Promise<UserView> {
    const changesAccess = input.role !== undefined || input.integratorOrgId !== undefined;
    // An admin who demoted themself by mistake could leave the tenant without one: another admin does it.
    if (changesAccess && userId === principal.userId) throw conflict('this is your own membership: another tenant admin changes your role or organisation');
    const { view, ended } = await this.db.run(tenantContext(principal), async (tx) => {
      const membership = await findMembership(tx, userId);
      let ended: string[] = [];
      if (input.displayName) await tx.user.update({ where: { id: userId }, data: { displayName: input.displayName } });
      if (changesAccess) {
        const role = input.role ?? membership.role;
        // Moving someone out of an integrator role takes them out of its organisation unless told otherwise.
        const orgInput = input.integratorOrgId !== undefined ? input.integratorOrgId : INTEGRATOR_ROLES.includes(role) ? membership.integratorOrgId : null;
        const integratorOrgId = await requireOrganizationForRole(tx, role, orgInput);
        if (role !== membership.role || integratorOrgId !== membership.integratorOrgId) {
          await tx.membership.update({ where: { id: membership.id }, data: { role, integratorOrgId } });
          await recordChange(tx, principal, 'admin.user.role_changed', {
            userId,
            from: membership.role,
            to: role,
            ...(integratorOrgId !== membership.integratorOrgId ? { organization: { from: membership.integratorOrgId, to: integratorOrgId } } : {}),
          });
          // A changed role or organisation must not live on in the sessions opened under the old one.
          ended = await endSessions(tx, userId);
        }
      }
      return { view: toView(await findMembership(tx, userId)), ended };
    });
    await this.endNow(ended);
    return view;
  }

  /** Removes the person from this tenant (their account stays if they belong to others) and ends their sessions here. */
  async remove(principal: Principal, userId: string): Promise<void> {
    // As with a role change: an admin removing themself by mistake could leave the tenant without one.
    if (userId === principal.userId) throw conflict('this is your own membership: another tenant admin removes you');
    const ended = await this.db.run(tenantContext(principal), async (tx) => {
      const membership = await findMembership(tx, userId);
      const ended = await endSessions(tx, userId);
      await tx.membership.delete({ where: { id: membership.id } });
      await recordChange(tx, principal, 'admin.user.removed', { userId, email: membership.user.email });
      return ended;
    });
    await this.endNow(ended);
  }

  /**
   * An admin sets a temporary password for a person who lost theirs (there is no e-mail reset): the
   * person's sessions end everywhere, and the reset is audited. A tenant admin may do it only for
   * people who belong to this tenant alone and are not platform admins: otherwise one tenant's admin
   * could take over a person's access to other tenants. Platform admins may reset anyone's.
   */
  async resetPassword(principal: Principal, userId: string, input: ResetPasswordDto): Promise<void> {
    if (userId === principal.userId) throw conflict('this is your own account: change your password with POST /v1/auth/password');
    await this.get(principal, userId); // a member of this tenant, or not found
    if (principal.role !== Role.platform_admin && (await this.personSessions.reachesBeyondOneTenant(userId))) {
      throw conflict('this person belongs to other tenants too, or is a platform admin: a platform admin resets their password');
    }
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.run(tenantContext(principal), async (tx) => {
      await tx.user.update({ where: { id: userId }, data: { passwordHash } });
      await recordChange(tx, principal, 'admin.user.password_reset', { userId });
    });
    await this.personSessions.endAll(userId);
  }

  /**
   * Access tokens carry the role and organisation they were issued with: their sessions are ended
   * in Redis too, so those tokens stop working now rather than when they expire.
   */
  private async endNow(sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.sessions.end(id)));
  }
}

/** Revokes the person's refresh tokens in this tenant; returns their sessions (token families) to end. */
async function endSessions(tx: TenantTx, userId: string): Promise<string[]> {
  const open = await tx.refreshToken.findMany({ where: { userId, revokedAt: null }, select: { familyId: true }, distinct: ['familyId'] });
  await tx.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return open.map((token) => token.familyId);
}

async function existingUserId(tx: TenantTx, email: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string | null }[]>`SELECT app_user_id_by_email(${email}) AS id`;
  return rows[0]?.id ?? null;
}

async function findMembership(tx: TenantTx, userId: string): Promise<Membership & { user: User }> {
  const membership = await tx.membership.findFirst({ where: { userId }, include: { user: true } });
  if (!membership) throw notFound('user');
  return membership;
}

function toView(row: Membership & { user: User }): UserView {
  return {
    id: row.userId,
    email: row.user.email,
    displayName: row.user.displayName,
    role: row.role,
    integratorOrgId: row.integratorOrgId,
    membershipId: row.id,
    createdAt: row.createdAt,
  };
}
