import { Injectable } from '@nestjs/common';
import { recordChange } from '../audit/record';
import type { AppConfig } from '@meridian/config';
import { publicSigningKeys, requestRecompile, rotateSigningKey } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { InjectConfig } from '../config/config.module';
import { GovernanceProducer } from '../jobs/governance.producer';
import { TenantPrisma } from '../prisma/prisma.service';
import type { RotationView, SigningKeyList } from './signing-keys.controller';

@Injectable()
export class SigningKeysService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: GovernanceProducer,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  list(principal: Principal): Promise<SigningKeyList> {
    return this.db.run(tenantContext(principal), async (tx) => ({
      items: (await publicSigningKeys(tx)).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey.toString('base64'), status: k.status })),
    }));
  }

  /** New key now; every site's next bundle (compiled right away) is signed with the old key and announces the new one. */
  async rotate(principal: Principal): Promise<RotationView> {
    const result = await this.db.run(tenantContext(principal), async (tx) => {
      const rotated = await rotateSigningKey(tx, principal.tenantId, this.config.keys.encryptionKey);
      await recordChange(tx, principal, 'admin.signing_key.rotated', { retired: rotated.retired, active: rotated.active.keyId });
      await requestRecompile(tx, principal.tenantId, undefined, 'key-rotation', principal.subjectId);
      return rotated;
    });
    const job = await this.producer.compileBundles({ tenantId: principal.tenantId, reason: 'key-rotation', requestedBy: principal.subjectId });
    return { retiredKeyId: result.retired, activeKeyId: result.active.keyId, jobId: String(job.id) };
  }
}
