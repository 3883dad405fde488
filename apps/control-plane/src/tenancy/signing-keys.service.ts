import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { generateEd25519KeyPair, loadPrivateKey, seal, unseal } from '@meridian/crypto';
import { Prisma, SigningKeyStatus, type TenantSigningKey, type TenantTx } from '@meridian/db';
import type { KeyObject } from 'node:crypto';
import { InjectConfig } from '../config/config.module';

export interface PublicSigningKey {
  keyId: string;
  publicKey: Buffer;
  status: SigningKeyStatus;
}

/**
 * The tenant's Ed25519 signing keys. Created on first need; private keys sealed at rest under
 * KEY_ENCRYPTION_KEY with the tenant and key id as associated data. Callers pass their tenant
 * transaction, so RLS scopes every read and write.
 */
@Injectable()
export class SigningKeysService {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  async activeKey(tx: TenantTx, tenantId: string): Promise<TenantSigningKey> {
    const existing = await tx.tenantSigningKey.findFirst({ where: { status: SigningKeyStatus.active } });
    if (existing) return existing;
    const pair = generateEd25519KeyPair();
    const keyId = `tsk_${randomBytes(8).toString('hex')}`;
    try {
      return await tx.tenantSigningKey.create({
        data: {
          tenantId,
          keyId,
          publicKey: pair.publicKey.toString('base64'),
          encryptedPrivateKey: seal(this.config.keys.encryptionKey, pair.privateKeyPem, associatedData(tenantId, keyId)),
        },
      });
    } catch (error) {
      // Another request created the tenant's first key at the same moment (one active key per tenant is a unique index).
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        return tx.tenantSigningKey.findFirstOrThrow({ where: { status: SigningKeyStatus.active } });
      }
      throw error;
    }
  }

  /** Keys agents should trust: the active one and those retired but still verifying older documents. */
  async publicKeys(tx: TenantTx): Promise<PublicSigningKey[]> {
    const rows = await tx.tenantSigningKey.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({ keyId: row.keyId, publicKey: Buffer.from(row.publicKey, 'base64'), status: row.status }));
  }

  privateKey(row: TenantSigningKey): KeyObject {
    return loadPrivateKey(unseal(this.config.keys.encryptionKey, row.encryptedPrivateKey, associatedData(row.tenantId, row.keyId)));
  }
}

function associatedData(tenantId: string, keyId: string): string {
  return `meridian/tenant-signing-key/${tenantId}/${keyId}`;
}
