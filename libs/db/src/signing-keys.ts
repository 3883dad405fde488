import { randomBytes, type KeyObject } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey, seal, unseal } from '@meridian/crypto';
import { Prisma, type TenantSigningKey } from './generated/prisma/client';
import { SigningKeyStatus } from './generated/prisma/enums';
import type { TenantTx } from './tenant-scope';

/**
 * A tenant's Ed25519 signing keys, shared by the API (enrollment hands out the public keys) and the
 * worker (signs bundles). Created on first need; the private key is sealed at rest under the
 * key-encryption key with the tenant and key id as associated data. Callers pass their tenant
 * transaction, so RLS scopes every read and write.
 */
export async function activeSigningKey(tx: TenantTx, tenantId: string, encryptionKey: Buffer): Promise<TenantSigningKey> {
  const existing = await tx.tenantSigningKey.findFirst({ where: { status: SigningKeyStatus.active } });
  if (existing) return existing;
  const pair = generateEd25519KeyPair();
  const keyId = `tsk_${randomBytes(8).toString('hex')}`;
  try {
    // A savepoint-free insert: on a race the unique index (one active key per tenant) refuses the loser.
    await tx.tenantSigningKey.createMany({
      data: [{ tenantId, keyId, publicKey: pair.publicKey.toString('base64'), encryptedPrivateKey: seal(encryptionKey, pair.privateKeyPem, keyAssociatedData(tenantId, keyId)) }],
      skipDuplicates: true,
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
  }
  return tx.tenantSigningKey.findFirstOrThrow({ where: { status: SigningKeyStatus.active } });
}

export async function publicSigningKeys(tx: TenantTx): Promise<{ keyId: string; publicKey: Buffer; status: SigningKeyStatus }[]> {
  const rows = await tx.tenantSigningKey.findMany({ orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ keyId: row.keyId, publicKey: Buffer.from(row.publicKey, 'base64'), status: row.status }));
}

export function signingPrivateKey(row: TenantSigningKey, encryptionKey: Buffer): KeyObject {
  return loadPrivateKey(unseal(encryptionKey, row.encryptedPrivateKey, keyAssociatedData(row.tenantId, row.keyId)));
}

function keyAssociatedData(tenantId: string, keyId: string): string {
  return `meridian/tenant-signing-key/${tenantId}/${keyId}`;
}

/** Retires the active key and creates its successor. Nodes learn the new key from the next bundle (see compileSiteBundle). */
export async function rotateSigningKey(tx: TenantTx, tenantId: string, encryptionKey: Buffer): Promise<{ retired: string | null; active: TenantSigningKey }> {
  const current = await tx.tenantSigningKey.findFirst({ where: { status: SigningKeyStatus.active } });
  if (current) await tx.tenantSigningKey.update({ where: { id: current.id }, data: { status: SigningKeyStatus.retired, retiredAt: new Date() } });
  const active = await activeSigningKey(tx, tenantId, encryptionKey);
  return { retired: current?.keyId ?? null, active };
}
