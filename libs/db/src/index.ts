export * from './client';
export * from './tenant-scope';
export * from './generated/prisma/client';
export * from './signing-keys';
export * from './policy-store';
export * from './audit-store';
export * from './rollout-store';
