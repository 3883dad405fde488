import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtService } from '@nestjs/jwt';
import { Role } from '@meridian/db';
import { DEMO_PASSWORD } from '@meridian/db/seed';
import { call, startHarness, type Harness } from './harness';

describe('authentication', () => {
  let h: Harness;
  const login = (email: string, password = DEMO_PASSWORD, tenantId?: string) =>
    call(h, 'POST', '/v1/auth/login', { body: { email, password, ...(tenantId ? { tenantId } : {}) } });

  beforeAll(async () => {
    h = await startHarness('auth');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs in with a password and returns a session and memberships', async () => {
    const response = await login('vendor.admin@demo-vendor.example');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, tenantId: h.tenants.a.id, role: 'vendor_admin' });
    expect(response.body.refreshToken).toMatch(/^mr_/);
    expect(response.body.memberships).toEqual([expect.objectContaining({ tenantId: h.tenants.a.id, tenantName: 'Demo Vendor', role: 'vendor_admin' })]);
    const me = await call(h, 'GET', '/v1/auth/me', { token: response.body.accessToken });
    expect(me.body).toMatchObject({ kind: 'user', email: 'vendor.admin@demo-vendor.example', role: 'vendor_admin' });
  });

  it('answers a wrong password and an unknown e-mail the same way', async () => {
    const wrong = await login('vendor.admin@demo-vendor.example', 'not-the-password');
    const unknown = await login('nobody@nowhere.example', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.contentType).toMatch(/application\/problem\+json/);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  describe('failed logins are throttled', () => {
    // Each scenario from its own client address (X-Forwarded-For: the test talks to the API over loopback, a trusted proxy).
    const attempt = async (email: string, password: string, address: string) => {
      const response = await fetch(`${h.baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ email, password }) });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { code?: string; detail?: string } };
    };

    it('per account: ten wrong passwords, then even the right one waits; a success gives the tries back', async () => {
      const viewer = 'integrator.viewer@andes.example';
      // Nine failures, a success (gives back its own try and none of the failures), nine more: never refused.
      for (let i = 0; i < 9; i += 1) expect((await attempt(viewer, 'guess', '198.51.100.1')).status).toBe(401);
      expect((await attempt(viewer, DEMO_PASSWORD, '198.51.100.1')).status).toBe(200);
      expect((await attempt(viewer, 'guess', '198.51.100.2')).status).toBe(401);
      // The tenth failure of the account, from another address: the account's budget is spent, whoever guesses.
      const refused = await attempt(viewer, DEMO_PASSWORD, '198.51.100.3');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'rate-limited', detail: expect.stringMatching(/^too many failed logins for this account; retry in \d+ s$/) });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      // Other accounts, from the same addresses, are not held up.
      expect((await attempt('vendor.engineer@demo-vendor.example', DEMO_PASSWORD, '198.51.100.3')).status).toBe(200);
    });

    it('per address: fifty failures over any accounts, then that address waits and others do not', async () => {
      for (let i = 0; i < 50; i += 1) expect((await attempt(`guess-${i}@nowhere.example`, 'guess', '203.0.113.9')).status).toBe(401);
      const refused = await attempt('platform@meridian.example', DEMO_PASSWORD, '203.0.113.9');
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/^too many failed logins for this address; retry in \d+ s$/);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect((await attempt('platform@meridian.example', DEMO_PASSWORD, '203.0.113.10')).status).toBe(200);
      // The refusal did not charge the account: it still logs in from elsewhere at once.
      expect((await attempt('platform@meridian.example', DEMO_PASSWORD, '203.0.113.11')).status).toBe(200);
    });
  });

  it('lets a person change their own password: other sessions end, this one stays, the change is audited', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const email = 'changes.password@demo-vendor.example';
    const created = await call(h, 'POST', '/v1/users', { token: admin, body: { email, displayName: 'Changes Password', password: 'initial-password-1', role: Role.auditor } });
    expect(created.status).toBe(201);
    const here = (await login(email, 'initial-password-1')).body;
    const elsewhere = (await login(email, 'initial-password-1')).body;
    const change = (token: string, body: Record<string, unknown>) => call(h, 'POST', '/v1/auth/password', { token, body });

    expect((await change(here.accessToken, { currentPassword: 'not-it', newPassword: 'a-new-password-2' })).status).toBe(403);
    const same = await change(here.accessToken, { currentPassword: 'initial-password-1', newPassword: 'initial-password-1' });
    expect(same.status).toBe(400);
    expect(same.body.errors).toEqual([{ path: 'newPassword', message: 'must differ from the current password' }]);
    expect((await change(here.accessToken, { currentPassword: 'initial-password-1', newPassword: 'short' })).status).toBe(400);
    expect((await call(h, 'POST', '/v1/auth/password', { body: { currentPassword: 'initial-password-1', newPassword: 'a-new-password-2' } })).status).toBe(401);

    expect((await change(here.accessToken, { currentPassword: 'initial-password-1', newPassword: 'a-new-password-2' })).status).toBe(204);
    // This session goes on (access and refresh); the other one has ended, both tokens.
    expect((await call(h, 'GET', '/v1/auth/me', { token: here.accessToken })).status).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: here.refreshToken } })).status).toBe(200);
    expect((await call(h, 'GET', '/v1/auth/me', { token: elsewhere.accessToken })).status).toBe(401);
    expect((await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: elsewhere.refreshToken } })).status).toBe(401);
    expect((await login(email, 'initial-password-1')).status).toBe(401);
    expect((await login(email, 'a-new-password-2')).status).toBe(200);

    const userId = created.body.id as string;
    const recorded = await h.owner.auditEvent.findMany({ where: { tenantId: h.tenants.a.id, type: 'admin.user.password_changed' } });
    expect(recorded.map((e) => e.actor)).toEqual([`user:${userId}`]);
    expect(recorded[0]!.body).not.toContain('a-new-password-2');
    expect(recorded[0]!.body).not.toContain('initial-password-1');

    // API keys have no password.
    const key = (await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'no-password', role: Role.vendor_engineer } })).body.key as string;
    expect((await call(h, 'POST', '/v1/auth/password', { headers: { 'x-api-key': key }, body: { currentPassword: 'x', newPassword: 'a-new-password-2' } })).status).toBe(403);
  });

  it('lets an admin set a temporary password for a person of this tenant only; a platform admin for anyone', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const reset = (token: string, id: string, newPassword = 'temporary-password-9') => call(h, 'POST', `/v1/users/${id}/password`, { token, body: { newPassword } });
    const person = (await call(h, 'POST', '/v1/users', { token: admin, body: { email: 'forgot.password@demo-vendor.example', displayName: 'Forgot Password', password: 'lost-password-123', role: Role.vendor_engineer } })).body;
    const session = (await login('forgot.password@demo-vendor.example', 'lost-password-123')).body;

    expect((await reset(admin, person.id)).status).toBe(204);
    expect((await call(h, 'GET', '/v1/auth/me', { token: session.accessToken })).status).toBe(401);
    expect((await login('forgot.password@demo-vendor.example', 'lost-password-123')).status).toBe(401);
    expect((await login('forgot.password@demo-vendor.example', 'temporary-password-9')).status).toBe(200);
    const recorded = await h.owner.auditEvent.findMany({ where: { tenantId: h.tenants.a.id, type: 'admin.user.password_reset' } });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.body).toContain(person.id);
    expect(recorded[0]!.body).not.toContain('temporary-password-9');

    // Not one's own (that needs the current password), not too short, not by an auditor, not across tenants.
    const adminId = (await h.owner.user.findUniqueOrThrow({ where: { email: h.tenants.a.emails.vendor_admin } })).id;
    expect((await reset(admin, adminId)).status).toBe(409);
    expect((await reset(admin, person.id, 'short')).status).toBe(400);
    expect((await reset(await h.token('a', Role.auditor), person.id)).status).toBe(403);
    expect((await reset(await h.token('b', Role.vendor_admin), person.id)).status).toBe(404);

    // A person of two tenants: a tenant admin could otherwise take over their access to the other one.
    await h.owner.membership.create({ data: { tenantId: h.tenants.b.id, userId: person.id, role: Role.auditor } });
    const refused = await reset(admin, person.id, 'another-temporary-1');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/belongs to other tenants too/);
    expect((await login('forgot.password@demo-vendor.example', 'temporary-password-9')).status).toBe(200);
    expect((await reset(await h.token('a', Role.platform_admin), person.id, 'another-temporary-1')).status).toBe(204);
    expect((await login('forgot.password@demo-vendor.example', 'another-temporary-1')).status).toBe(200);
  });

  it('stores passwords as argon2id', async () => {
    const user = await h.owner.user.findUniqueOrThrow({ where: { email: 'vendor.admin@demo-vendor.example' } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('rotates refresh tokens and revokes the family when an old one is replayed', async () => {
    const first = (await login('vendor.engineer@demo-vendor.example')).body;
    const second = await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const third = await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(third.status).toBe(200);
    // replaying the first token (stolen?) kills the whole family, including the newest token
    const replay = await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/already used/);
    expect((await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: third.body.refreshToken } })).status).toBe(401);
  });

  it('ends the session at logout: its refresh token and its access tokens stop working at once', async () => {
    const session = (await login('auditor@audit-firm.example')).body;
    const other = (await login('auditor@audit-firm.example')).body;
    expect((await call(h, 'GET', '/v1/auth/me', { token: session.accessToken })).status).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(204);
    const after = await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(after.status).toBe(401);
    const access = await call(h, 'GET', '/v1/auth/me', { token: session.accessToken });
    expect(access).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/session has ended/) } });
    // another session of the same user is not affected
    expect((await call(h, 'GET', '/v1/auth/me', { token: other.accessToken })).status).toBe(200);
  });

  it('ends the whole session when a rotated refresh token is replayed, including its current access token', async () => {
    const session = (await login('auditor@audit-firm.example')).body;
    const rotated = (await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).body;
    expect((await call(h, 'GET', '/v1/auth/me', { token: rotated.accessToken })).status).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
    expect((await call(h, 'GET', '/v1/auth/me', { token: rotated.accessToken })).status).toBe(401);
  });

  it("ends a person's sessions in this tenant when their role or organisation changes, and when they are removed", async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const [idOrg, clOrg] = h.tenants.a.orgIds;
    const created = await call(h, 'POST', '/v1/users', { token: admin, body: { email: 'moved.integrator@example.com', displayName: 'Moved', password: 'long-enough-password', role: Role.integrator_viewer, integratorOrgId: idOrg } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const userId = created.body.id as string;
    const first = (await login('moved.integrator@example.com', 'long-enough-password')).body;
    expect((await call(h, 'GET', '/v1/sites', { token: first.accessToken })).status).toBe(200);

    // Moved to the other organisation: the token issued for the first one must not keep its scope.
    const moved = await call(h, 'PATCH', `/v1/users/${userId}`, { token: admin, body: { integratorOrgId: clOrg } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await call(h, 'GET', '/v1/sites', { token: first.accessToken })).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/session has ended/) } });
    expect((await call(h, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.refreshToken } })).status).toBe(401);

    const second = (await login('moved.integrator@example.com', 'long-enough-password')).body;
    expect((await call(h, 'GET', '/v1/sites', { token: second.accessToken })).status).toBe(200);
    expect((await call(h, 'DELETE', `/v1/users/${userId}`, { token: admin })).status).toBe(204);
    expect(await call(h, 'GET', '/v1/sites', { token: second.accessToken })).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/session has ended/) } });
  });

  it("changes a role and removes people, never one's own; out of an integrator role means out of its organisation; a change that changes nothing ends no session", async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const [idOrg] = h.tenants.a.orgIds;
    const adminId = (await call(h, 'GET', '/v1/auth/me', { token: admin })).body.subjectId as string;
    const own = await call(h, 'PATCH', `/v1/users/${adminId}`, { token: admin, body: { role: Role.auditor } });
    expect(own).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/your own membership/) } });
    const ownRemoval = await call(h, 'DELETE', `/v1/users/${adminId}`, { token: admin });
    expect(ownRemoval).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/your own membership: another tenant admin removes you/) } });
    expect((await call(h, 'GET', '/v1/sites', { token: admin })).status).toBe(200);

    const created = await call(h, 'POST', '/v1/users', { token: admin, body: { email: 'promoted.integrator@example.com', displayName: 'Promoted', password: 'long-enough-password', role: Role.integrator_admin, integratorOrgId: idOrg } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const userId = created.body.id as string;
    const session = (await login('promoted.integrator@example.com', 'long-enough-password')).body;
    const same = await call(h, 'PATCH', `/v1/users/${userId}`, { token: admin, body: { role: Role.integrator_admin } });
    expect(same.status).toBe(200);
    expect((await call(h, 'GET', '/v1/sites', { token: session.accessToken })).status).toBe(200);

    const promoted = await call(h, 'PATCH', `/v1/users/${userId}`, { token: admin, body: { role: Role.vendor_engineer } });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body).toMatchObject({ role: Role.vendor_engineer, integratorOrgId: null });
    expect((await call(h, 'GET', '/v1/sites', { token: session.accessToken })).status).toBe(401);
    const records = (await call(h, 'GET', '/v1/audit/events?type=admin.user.role_changed', { token: admin })).body.items as { event: { data: Record<string, unknown> } }[];
    expect(records.filter((r) => r.event.data.userId === userId).map((r) => r.event.data)).toEqual([
      { userId, from: Role.integrator_admin, to: Role.vendor_engineer, organization: { from: idOrg, to: null }, role: Role.vendor_admin },
    ]);
    const added = (await call(h, 'GET', '/v1/audit/events?type=admin.user.created', { token: admin })).body.items as { event: { data: Record<string, unknown> } }[];
    expect(added.find((r) => r.event.data.userId === userId)?.event.data).toEqual({ userId, email: 'promoted.integrator@example.com', grantedRole: Role.integrator_admin, integratorOrgId: idOrg, role: Role.vendor_admin });

    // An account of another tenant added here (by a platform admin): on this tenant's record, with the role it is given here.
    const email = h.tenants.b.emails[Role.vendor_admin]!;
    const platform = (await login('platform@meridian.example', DEMO_PASSWORD, h.tenants.a.id)).body.accessToken as string;
    const member = await call(h, 'POST', '/v1/users/memberships', { token: platform, body: { email, role: Role.auditor } });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const joined = (await call(h, 'GET', '/v1/audit/events?type=admin.user.added', { token: admin })).body.items as { event: { data: Record<string, unknown> } }[];
    expect(joined.map((r) => r.event.data)).toContainEqual({ userId: member.body.id, email, grantedRole: Role.auditor, integratorOrgId: null, role: Role.platform_admin });
    expect((await call(h, 'DELETE', `/v1/users/${member.body.id}`, { token: admin })).status).toBe(204);
  });

  it('refuses tokens signed with another secret, expired tokens and garbage', async () => {
    const claims = { sub: '00000000-0000-4000-8000-000000000000', tid: h.tenants.a.id, role: 'vendor_admin', org: null, typ: 'access' };
    const forged = await new JwtService().signAsync(claims, { secret: 'x'.repeat(40), issuer: 'meridian', audience: 'meridian-api', expiresIn: 60 });
    expect((await call(h, 'GET', '/v1/sites', { token: forged })).status).toBe(401);
    const expired = await new JwtService().signAsync({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, { secret: h.config.auth.jwtSecret, issuer: 'meridian', audience: 'meridian-api' });
    expect((await call(h, 'GET', '/v1/sites', { token: expired })).status).toBe(401);
    expect((await call(h, 'GET', '/v1/sites', { token: 'garbage' })).status).toBe(401);
  });

  it('switches tenants only into tenants the user belongs to', async () => {
    const token = await h.token('a', Role.vendor_admin);
    const refused = await call(h, 'POST', '/v1/auth/switch-tenant', { token, body: { tenantId: h.tenants.b.id } });
    expect(refused.status).toBe(404);
    // a platform admin may act in any tenant
    const platform = (await login('platform@meridian.example')).body;
    expect(platform.memberships.map((m: { tenantId: string }) => m.tenantId).sort()).toEqual([h.tenants.a.id, h.tenants.b.id].sort());
    const switched = await call(h, 'POST', '/v1/auth/switch-tenant', { token: platform.accessToken, body: { tenantId: h.tenants.b.id } });
    expect(switched.status).toBe(200);
    const sites = await call(h, 'GET', '/v1/sites', { token: switched.body.accessToken });
    expect(sites.body.items.map((s: { country: string }) => s.country)).toEqual(['DE']);
  });

  describe('API keys', () => {
    it('are shown once, stored hashed, work in both headers and stop working at once when revoked', async () => {
      const admin = await h.token('a', Role.vendor_admin);
      const created = await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'ci', role: Role.vendor_engineer } });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
      const stored = await h.owner.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.keyHash).not.toContain(key);
      expect(JSON.stringify(stored)).not.toContain(key);
      const listed = await call(h, 'GET', '/v1/api-keys', { token: admin });
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(JSON.stringify(listed.body)).not.toContain(stored.keyHash);

      expect((await call(h, 'GET', '/v1/sites', { headers: { 'x-api-key': key } })).status).toBe(200);
      expect((await call(h, 'GET', '/v1/sites', { token: key })).status).toBe(200);
      // an engineer key cannot manage keys
      expect((await call(h, 'GET', '/v1/api-keys', { headers: { 'x-api-key': key } })).status).toBe(403);

      expect((await call(h, 'DELETE', `/v1/api-keys/${created.body.id}`, { token: admin })).status).toBe(204);
      const after = await call(h, 'GET', '/v1/sites', { headers: { 'x-api-key': key } });
      expect(after.status).toBe(401);

      // On the record: the key (never its secret) with the role it grants, beside the role of the admin who made it.
      const records = async (type: string) => ((await call(h, 'GET', `/v1/audit/events?type=${type}&limit=100`, { token: admin })).body.items as { event: { data: Record<string, unknown> } }[]).map((r) => r.event.data).filter((d) => d.apiKeyId === created.body.id);
      expect(await records('admin.api_key.created')).toEqual([{ apiKeyId: created.body.id, name: 'ci', grantedRole: Role.vendor_engineer, integratorOrgId: null, prefix: key.slice(0, 12), expiresAt: null, role: Role.vendor_admin }]);
      expect(await records('admin.api_key.revoked')).toEqual([{ apiKeyId: created.body.id, role: Role.vendor_admin }]);
    });

    it('scope integrator keys to their organisation and refuse past expiries', async () => {
      const admin = await h.token('a', Role.vendor_admin);
      const orgOfCl = await h.owner.site.findUniqueOrThrow({ where: { id: h.tenants.a.siteIds.CL! } });
      const created = await call(h, 'POST', '/v1/api-keys', {
        token: admin,
        body: { name: 'cl-viewer', role: Role.integrator_viewer, integratorOrgId: orgOfCl.integratorOrgId },
      });
      expect(created.status).toBe(201);
      const sites = await call(h, 'GET', '/v1/sites', { headers: { 'x-api-key': created.body.key } });
      expect(sites.body.items.map((s: { country: string }) => s.country)).toEqual(['CL']);

      const noOrg = await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'x', role: Role.integrator_viewer } });
      expect(noOrg.status).toBe(400);
      expect(noOrg.body.errors).toEqual([expect.objectContaining({ path: 'integratorOrgId' })]);
      const past = await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'old', role: Role.auditor, expiresAt: '2020-01-01T00:00:00Z' } });
      expect(past.status).toBe(400);
      const platform = await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'god', role: Role.platform_admin } });
      expect(platform.status).toBe(400);
    });
  });
});
