import { Injectable } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { activeSigningKey, publicSigningKeys, type TenantSigningKey, type TenantTx } from '@meridian/db';
import { InjectConfig } from '../config/config.module';

/** The tenant's signing keys (see libs/db signing-keys): created on first need, sealed at rest. */
@Injectable()
export class SigningKeysService {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  activeKey(tx: TenantTx, tenantId: string): Promise<TenantSigningKey> {
    return activeSigningKey(tx, tenantId, this.config.keys.encryptionKey);
  }

  publicKeys(tx: TenantTx) {
    return publicSigningKeys(tx);
  }
}
