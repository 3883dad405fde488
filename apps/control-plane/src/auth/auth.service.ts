import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig } from '@meridian/config';
import { decoyPasswordHash, generateSecret, hashPassword, sha256Hex, verifyPassword } from '@meridian/crypto';
import { Role, type User } from '@meridian/db';
import { InjectConfig } from '../config/config.module';
import { recordChange } from '../audit/record';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../common/problem';
import { SystemPrisma, TenantPrisma } from '../prisma/prisma.service';
import type { ChangePasswordDto, LoginDto, MembershipView, MeView, SessionView } from './dto/auth.dto';
import type { AccessTokenClaims } from './jwt.strategy';
import { LoginThrottle } from './login-throttle';
import { PersonSessions } from './person-sessions';
import { tenantContext, type Principal } from './principal';
import { SessionRevocations } from './session-revocations';

const REFRESH_PREFIX = 'mr';

/**
 * Sessions: a short-lived JWT access token and a single-use refresh token. Refresh tokens rotate
 * within a family; presenting a token that was already replaced means it leaked, so the whole
 * family is revoked. Logout revokes the family at once. Runs before a tenant is known, hence the
 * system connection.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly system: SystemPrisma,
    private readonly jwt: JwtService,
    private readonly sessions: SessionRevocations,
    @InjectConfig() private readonly config: AppConfig,
    private readonly throttle: LoginThrottle,
    private readonly db: TenantPrisma,
    private readonly personSessions: PersonSessions,
  ) {}

  /** `clientAddress`: the caller's address (behind trusted proxies, the forwarded one), for throttling failed logins. */
  async login(input: LoginDto, clientAddress: string): Promise<SessionView> {
    const attempt = await this.throttle.attempt(input.email, clientAddress);
    const user = await this.system.client.user.findUnique({ where: { email: input.email.toLowerCase() } });
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
    if (!user || !valid || user.disabledAt) throw unauthorized('wrong e-mail or password');
    // The password was right: this was no guess, whatever happens next.
    await attempt.succeeded();
    const memberships = await this.membershipsOf(user);
    const chosen = input.tenantId ? memberships.find((m) => m.tenantId === input.tenantId) : memberships[0];
    if (!chosen) {
      throw input.tenantId ? notFound('tenant') : conflict('this account belongs to no tenant yet');
    }
    return this.openSession(user.id, chosen, memberships, randomUUID());
  }

  async refresh(refreshToken: string): Promise<SessionView> {
    const tokenHash = sha256Hex(refreshToken);
    const client = this.system.client;
    const stored = await client.refreshToken.findUnique({ where: { tokenHash } });
    if (!stored || stored.revokedAt || stored.expiresAt <= new Date()) throw unauthorized('refresh token is invalid, expired or revoked');
    // Claim the token atomically: of two concurrent refreshes with one token, only one wins.
    const claimed = await client.refreshToken.updateMany({ where: { id: stored.id, replacedAt: null, revokedAt: null }, data: { replacedAt: new Date() } });
    if (claimed.count === 0) {
      await this.revokeFamily(stored.familyId);
      throw unauthorized('refresh token was already used; the session has been revoked');
    }
    const user = await client.user.findUnique({ where: { id: stored.userId } });
    if (!user || user.disabledAt) throw unauthorized('account disabled');
    const memberships = await this.membershipsOf(user);
    const membership = memberships.find((m) => m.tenantId === stored.tenantId);
    if (!membership) {
      await this.revokeFamily(stored.familyId);
      throw unauthorized('no longer a member of this tenant');
    }
    return this.openSession(user.id, membership, memberships, stored.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const stored = await this.system.client.refreshToken.findUnique({ where: { tokenHash: sha256Hex(refreshToken) } });
    if (stored) await this.revokeFamily(stored.familyId);
  }

  async switchTenant(principal: Principal, tenantId: string): Promise<SessionView> {
    if (principal.kind !== 'user' || !principal.userId) throw unauthorized('API keys are bound to one tenant');
    const user = await this.system.client.user.findUnique({ where: { id: principal.userId } });
    if (!user || user.disabledAt) throw unauthorized('account disabled');
    const memberships = await this.membershipsOf(user);
    const target = memberships.find((m) => m.tenantId === tenantId);
    if (!target) throw notFound('tenant');
    return this.openSession(user.id, target, memberships, randomUUID());
  }

  /**
   * A person changes their own password: the current one must be right (wrong ones count as failed
   * logins of the account, so a stolen access token cannot be used to guess it), the change is
   * recorded in the tenant's audit log in the same transaction, and every other session of the
   * person, in every tenant, ends at once; the one that asked stays open.
   */
  async changePassword(principal: Principal, input: ChangePasswordDto, clientAddress: string): Promise<void> {
    if (principal.kind !== 'user' || !principal.userId) throw forbidden('API keys have no password');
    const userId = principal.userId;
    const user = await this.system.client.user.findUnique({ where: { id: userId } });
    if (!user || user.disabledAt) throw unauthorized('account disabled');
    const attempt = await this.throttle.attempt(user.email, clientAddress);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw forbidden('the current password is not right');
    await attempt.succeeded();
    if (input.newPassword === input.currentPassword) throw badRequest('the new password is the current one', [{ path: 'newPassword', message: 'must differ from the current password' }]);
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.run(tenantContext(principal), async (tx) => {
      await tx.user.update({ where: { id: userId }, data: { passwordHash } });
      await recordChange(tx, principal, 'admin.user.password_changed', { userId });
    });
    await this.personSessions.endAll(userId, principal.sessionId);
  }

  async me(principal: Principal): Promise<MeView> {
    const base = { kind: principal.kind, subjectId: principal.subjectId, tenantId: principal.tenantId, role: principal.role, integratorOrgId: principal.integratorOrgId };
    if (principal.kind !== 'user' || !principal.userId) return { ...base, memberships: [] };
    const user = await this.system.client.user.findUnique({ where: { id: principal.userId } });
    if (!user) throw unauthorized('account no longer exists');
    return { ...base, email: user.email, displayName: user.displayName, memberships: await this.membershipsOf(user) };
  }

  /** Tenants this user may act in. Platform admins may act in every tenant. */
  private async membershipsOf(user: User): Promise<MembershipView[]> {
    const client = this.system.client;
    if (user.isPlatformAdmin) {
      const tenants = await client.tenant.findMany({ orderBy: { createdAt: 'asc' }, take: 500 });
      return tenants.map((t) => ({ tenantId: t.id, tenantName: t.name, tenantSlug: t.slug, role: Role.platform_admin, integratorOrgId: null }));
    }
    const rows = await client.membership.findMany({ where: { userId: user.id }, include: { tenant: true }, orderBy: { createdAt: 'asc' } });
    return rows.map((m) => ({ tenantId: m.tenantId, tenantName: m.tenant.name, tenantSlug: m.tenant.slug, role: m.role, integratorOrgId: m.integratorOrgId }));
  }

  private async openSession(userId: string, membership: MembershipView, memberships: MembershipView[], familyId: string): Promise<SessionView> {
    const claims: AccessTokenClaims = { sub: userId, tid: membership.tenantId, role: membership.role, org: membership.integratorOrgId, typ: 'access', sid: familyId };
    const accessToken = await this.jwt.signAsync(claims, {
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      issuer: 'meridian',
      audience: 'meridian-api',
      jwtid: randomUUID(),
    });
    const refreshToken = generateSecret(REFRESH_PREFIX);
    await this.system.client.refreshToken.create({
      data: {
        tenantId: membership.tenantId,
        userId,
        familyId,
        tokenHash: sha256Hex(refreshToken),
        expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
      },
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      refreshToken,
      tenantId: membership.tenantId,
      role: membership.role,
      memberships,
    };
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.system.client.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.sessions.end(familyId);
  }
}
