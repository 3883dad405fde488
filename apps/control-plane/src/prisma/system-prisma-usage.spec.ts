import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * SystemPrisma bypasses row-level security. It may serve only what happens before a tenant is known
 * (authentication) and platform administration; everything else must go through TenantPrisma.
 */
const ALLOWED = new Set([
  'prisma/prisma.service.ts',
  'prisma/prisma.module.ts',
  'auth/auth.service.ts',
  'auth/api-key.strategy.ts',
  // a person's sessions and memberships across tenants (password change and reset)
  'auth/person-sessions.ts',
  'tenancy/tenants.service.ts',
  // agents authenticate (and enroll) before their tenant is known
  'agents/agent-auth.service.ts',
  'agents/enrollment.service.ts',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [full] : [];
  });
}

describe('SystemPrisma usage', () => {
  it('is confined to authentication and platform administration', () => {
    const root = path.resolve(__dirname, '..');
    const users = sourceFiles(root)
      .filter((file) => /\bSystemPrisma\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file).split(path.sep).join('/'));
    expect(users.length).toBeGreaterThan(2);
    expect(users.filter((file) => !ALLOWED.has(file))).toEqual([]);
  });
});
